using System.Text.Json;
using Sluice.Client.Tests.Infrastructure;
using Sluice.Contracts;

namespace Sluice.Client.Tests;

public sealed class RetryTests
{
    [Fact]
    public async Task GetCluster_503TwiceThenOk_RetriesAndSucceeds()
    {
        await using var server = await ScriptedServer.StartAsync(r => r.Number <= 2
            ? Reply.Error(503, "ServiceUnavailable", "busy")
            : Fixtures.ClusterReply("c-1", ClusterStates.Running));
        using var client = server.CreateClient();

        var response = await client.GetClusterAsync("c-1");

        Assert.Equal("c-1", response.Value.Id);
        Assert.Equal("req-3", response.RequestId);
        Assert.Equal(3, server.RequestCount);
        Assert.Empty(server.SignatureFailures);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(504)]
    public async Task GetCluster_TransientStatusOnce_Retried(int status)
    {
        await using var server = await ScriptedServer.StartAsync(r => r.Number == 1
            ? Reply.Error(status, "Transient", "try again")
            : Fixtures.ClusterReply("c-1", ClusterStates.Running));
        using var client = server.CreateClient();

        await client.GetClusterAsync("c-1");

        Assert.Equal(2, server.RequestCount);
    }

    [Theory]
    [InlineData(400, ErrorCodes.InvalidParameter)]
    [InlineData(404, ErrorCodes.ClusterNotFound)]
    [InlineData(409, ErrorCodes.InvalidState)]
    [InlineData(501, ErrorCodes.NotImplemented)]
    public async Task GetCluster_NonTransientStatus_NotRetried(int status, string code)
    {
        await using var server = await ScriptedServer.StartAsync(_ => Reply.Error(status, code, "nope"));
        using var client = server.CreateClient();

        var error = await Assert.ThrowsAsync<SluiceServiceException>(() => client.GetClusterAsync("c-1"));

        Assert.Equal(status, error.StatusCode);
        Assert.Equal(code, error.ErrorCode);
        Assert.Equal(1, server.RequestCount);
        Assert.Equal(1, error.Attempts);
    }

    [Fact]
    public async Task TerminateCluster_Protected409_NotRetried()
    {
        await using var server = await ScriptedServer.StartAsync(_ => Reply.Error(409, ErrorCodes.TerminationProtected, "Lift termination protection first."));
        using var client = server.CreateClient();

        var error = await Assert.ThrowsAsync<SluiceServiceException>(() => client.TerminateClusterAsync("c-1"));

        Assert.Equal(ErrorCodes.TerminationProtected, error.ErrorCode);
        Assert.Equal(1, server.RequestCount);
        Assert.Equal("/v1/clusters/c-1/terminate", Assert.Single(server.Requests).Path);
    }

    [Fact]
    public async Task CreateCluster_503ThenCreated_RetriedWithSameGeneratedClientToken()
    {
        await using var server = await ScriptedServer.StartAsync(r => r.Number <= 2
            ? Reply.Error(503, "ServiceUnavailable", "busy")
            : Fixtures.ClusterReply("c-1", ClusterStates.Starting, 201));
        using var client = server.CreateClient();
        var request = new ClusterRequestBuilder().WithName("n").AddInstanceGroup(InstanceRole.Master, "g.small", 1).Build();

        var response = await client.CreateClusterAsync(request);

        Assert.Equal(201, response.StatusCode);
        var tokens = server.Requests.Select(r => JsonSerializer.Deserialize(r.Body, SluiceJsonContext.Default.CreateClusterRequest)!.ClientToken).ToList();
        Assert.Equal(3, tokens.Count);
        Assert.Single(tokens.Distinct());
        Assert.True(Guid.TryParse(tokens[0], out _));
        Assert.Null(request.ClientToken);
    }

    [Fact]
    public async Task CreateCluster_SameRequestTwice_EachCallGetsItsOwnToken()
    {
        await using var server = await ScriptedServer.StartAsync(_ => Fixtures.ClusterReply("c-1", ClusterStates.Starting, 201));
        using var client = server.CreateClient();
        var request = new ClusterRequestBuilder().WithName("n").AddInstanceGroup(InstanceRole.Master, "g.small", 1).Build();

        await client.CreateClusterAsync(request);
        await client.CreateClusterAsync(request);

        var tokens = server.Requests.Select(r => JsonSerializer.Deserialize(r.Body, SluiceJsonContext.Default.CreateClusterRequest)!.ClientToken).ToList();
        Assert.Equal(2, tokens.Distinct().Count());
    }

    [Fact]
    public async Task CreateJob_CallerToken_KeptOnEveryAttempt()
    {
        await using var server = await ScriptedServer.StartAsync(r => r.Number == 1
            ? Reply.Error(500, ErrorCodes.InternalError, "oops")
            : Reply.Json(Fixtures.Job("j-1", JobStates.Waiting), SluiceJsonContext.Default.JobInfo, 201));
        using var client = server.CreateClient();
        var request = new JobRequestBuilder().WithName("j").OnCluster("c-1").AddTask("t", "echo").WithClientToken("my-token").Build();

        await client.CreateJobAsync(request);

        Assert.All(server.Requests, r => Assert.Equal("my-token", JsonSerializer.Deserialize(r.Body, SluiceJsonContext.Default.CreateJobRequest)!.ClientToken));
        Assert.Equal(2, server.RequestCount);
    }

    [Fact]
    public async Task GetCluster_AlwaysUnavailable_ThrowsLastErrorAfterRetries()
    {
        await using var server = await ScriptedServer.StartAsync(r => Reply.Error(503, "ServiceUnavailable", $"busy {r.Number}"));
        using var client = server.CreateClient(o => o.Retry.MaxRetries = 2);

        var error = await Assert.ThrowsAsync<SluiceServiceException>(() => client.GetClusterAsync("c-1"));

        Assert.Equal(3, server.RequestCount);
        Assert.Equal(3, error.Attempts);
        Assert.Equal("busy 3", error.Message);
        Assert.Equal("req-3", error.RequestId);
    }

    [Fact]
    public async Task UpdateCluster_503_NotRetriedBecausePatchIsNotIdempotent()
    {
        await using var server = await ScriptedServer.StartAsync(_ => Reply.Error(503, "ServiceUnavailable", "busy"));
        using var client = server.CreateClient();

        await Assert.ThrowsAsync<SluiceServiceException>(() => client.UpdateClusterAsync("c-1", new UpdateClusterRequest { KeepAlive = true }));

        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task StopAndRestartJob_503Once_Retried()
    {
        await using var server = await ScriptedServer.StartAsync(r => r.Number % 2 == 1
            ? Reply.Error(503, "ServiceUnavailable", "busy")
            : Reply.Json(Fixtures.Job("j-1", JobStates.Stopped), SluiceJsonContext.Default.JobInfo));
        using var client = server.CreateClient();

        await client.StopJobAsync("j-1");
        await client.RestartJobAsync("j-1");

        Assert.Equal(["/v1/jobs/j-1/stop", "/v1/jobs/j-1/stop", "/v1/jobs/j-1/restart", "/v1/jobs/j-1/restart"], server.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task GetCluster_ConnectionRefused_ThrowsClientExceptionAfterRetries()
    {
        var server = await ScriptedServer.StartAsync();
        var endpoint = server.Endpoint;
        await server.DisposeAsync();
        using var client = new SluiceClient(new SluiceClientOptions
        {
            Endpoint = endpoint,
            Credentials = new SluiceCredentials(ScriptedServer.AccessKeyId, ScriptedServer.Secret),
            Retry = new SluiceRetryOptions { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(2) },
        });

        var error = await Assert.ThrowsAsync<SluiceClientException>(() => client.GetClusterAsync("c-1"));

        Assert.Equal(3, error.Attempts);
        Assert.IsType<HttpRequestException>(error.InnerException);
    }

    [Fact]
    public async Task GetCluster_AttemptTimesOut_RetriedThenClientExceptionWithTimeout()
    {
        using var cts = new CancellationTokenSource();
        await using var server = await ScriptedServer.StartAsync();
        server.Handler = async r =>
        {
            // Cancelled while the request is in the server, however long the connection took to open.
            cts.CancelAfter(TimeSpan.FromMilliseconds(100));
            await Task.Delay(TimeSpan.FromSeconds(30), r.Aborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return Fixtures.ClusterReply("c-1", ClusterStates.Running);
        };
        using var client = server.CreateClient(o =>
        {
            o.Timeout = TimeSpan.FromMilliseconds(100);
            o.Retry.MaxRetries = 1;
        });

        var error = await Assert.ThrowsAsync<SluiceClientException>(() => client.GetClusterAsync("c-1"));

        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.Equal(2, error.Attempts);
    }

    [Fact]
    public async Task GetCluster_CallerCancels_ThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        await using var server = await ScriptedServer.StartAsync();
        server.Handler = async r =>
        {
            // Cancelled while the request is in the server, however long the connection took to open.
            cts.CancelAfter(TimeSpan.FromMilliseconds(100));
            await Task.Delay(TimeSpan.FromSeconds(30), r.Aborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return Fixtures.ClusterReply("c-1", ClusterStates.Running);
        };
        using var client = server.CreateClient();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetClusterAsync("c-1", cts.Token));
        Assert.Equal(1, server.RequestCount);
    }
}
