using Sluice.Client.Tests.Infrastructure;
using Sluice.Contracts;

namespace Sluice.Client.Tests;

public sealed class ErrorTests
{
    [Fact]
    public async Task GetJob_NotFound_ServiceExceptionCarriesStatusCodeRequestIdAndMessage()
    {
        await using var server = await ScriptedServer.StartAsync(_ => Reply.Error(404, ErrorCodes.JobNotFound, "No job j-404 in this account."));
        using var client = server.CreateClient();

        var error = await Assert.ThrowsAsync<SluiceServiceException>(() => client.GetJobAsync("j-404"));

        Assert.Equal(404, error.StatusCode);
        Assert.Equal(ErrorCodes.JobNotFound, error.ErrorCode);
        Assert.Equal("req-1", error.RequestId);
        Assert.Equal("No job j-404 in this account.", error.Message);
        Assert.Contains("code JobNotFound", error.ToString(), StringComparison.Ordinal);
        Assert.IsAssignableFrom<SluiceException>(error);
    }

    [Fact]
    public async Task GetJob_NonJsonErrorBody_FallsBackToHttpStatusCode()
    {
        await using var server = await ScriptedServer.StartAsync(_ => Reply.Text(502, "<html>Bad gateway</html>"));
        using var client = server.CreateClient(o => o.Retry.MaxRetries = 0);

        var error = await Assert.ThrowsAsync<SluiceServiceException>(() => client.GetJobAsync("j-1"));

        Assert.Equal(502, error.StatusCode);
        Assert.Equal("Http502", error.ErrorCode);
        Assert.Equal("req-1", error.RequestId);
        Assert.Contains("Bad gateway", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetJob_SuccessWithInvalidJson_ThrowsClientException()
    {
        await using var server = await ScriptedServer.StartAsync(_ => Reply.Text(200, "not json"));
        using var client = server.CreateClient();

        var error = await Assert.ThrowsAsync<SluiceClientException>(() => client.GetJobAsync("j-1"));

        Assert.Contains("req-1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operations_EmptyOrNullIds_ThrowArgumentExceptionWithoutRequest()
    {
        await using var server = await ScriptedServer.StartAsync();
        using var client = server.CreateClient();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => client.GetClusterAsync(""));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => client.GetClusterAsync(null!));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => client.TerminateClusterAsync(" "));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => client.GetTaskAsync("j-1", ""));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => client.GetInstanceAsync("j-1", "t", -1));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => client.ResizeInstanceGroupAsync("c-1", "core", 1001));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => client.CreateClusterAsync(null!));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => client.WaitForJobAsync(""));
        Assert.ThrowsAny<ArgumentException>(() => client.ListClustersAsync(pageSize: 0));
        Assert.ThrowsAny<ArgumentException>(() => client.ListJobsAsync(states: [""]));
        Assert.ThrowsAny<ArgumentException>(() => client.FollowLogAsync("j-1", "t", 0, offset: -1));

        Assert.Equal(0, server.RequestCount);
    }

    [Fact]
    public void Constructor_MissingCredentialsOrEndpoint_ThrowsArgumentException()
    {
        Assert.ThrowsAny<ArgumentException>(() => new SluiceClient(new SluiceClientOptions { Endpoint = new Uri("http://127.0.0.1:1") }));
        Assert.ThrowsAny<ArgumentException>(() => new SluiceClient(new SluiceClientOptions { Credentials = new SluiceCredentials("k", "s") }));
        Assert.ThrowsAny<ArgumentException>(() => new SluiceClient(new Uri("ftp://host/"), new SluiceCredentials("k", "s")));
    }

    [Fact]
    public async Task Dispose_ThenCall_ThrowsObjectDisposed()
    {
        await using var server = await ScriptedServer.StartAsync();
        var client = server.CreateClient();
        client.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.GetClusterAsync("c-1"));
    }

    [Fact]
    public async Task MockedClient_OverriddenGet_UsedByWaiter()
    {
        var mock = new MockClient();

        var cluster = await mock.WaitForClusterReadyAsync("c-1", Fixtures.FastWait());

        Assert.Equal(ClusterStates.Waiting, cluster.State);
        Assert.Equal(3, mock.Calls);
    }

    private sealed class MockClient : SluiceClient
    {
        public int Calls { get; private set; }

        public override Task<SluiceResponse<ClusterInfo>> GetClusterAsync(string clusterId, CancellationToken cancellationToken = default)
        {
            Calls++;
            var state = Calls < 3 ? ClusterStates.Bootstrapping : ClusterStates.Waiting;
            return Task.FromResult(new SluiceResponse<ClusterInfo>(Fixtures.Cluster(clusterId, state), 200, "mock"));
        }
    }
}
