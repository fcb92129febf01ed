using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Cli.Tests;

/// <summary>
/// Issue #15: a terminate and a stop answered 202 are carried out even when the server is killed with SIGKILL right after
/// answering (before, the cluster came back Waiting 4 times in 5 and stops were lost 20 times in 30). Real `sluice up`
/// processes on one SQLite file.
/// </summary>
public sealed class CrashAfterAcceptTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sluice-crash-accept-").FullName;

    [Fact]
    public async Task TerminateAndStop_ServerKilledRightAfterAnswering_TheRestartedServerCarriesThemOut()
    {
        var home = Directory.CreateDirectory(Path.Combine(_root, "home")).FullName;
        var data = Path.Combine(_root, "data");
        string idle, busy, jobId;
        await using (var up = await UpProcess.StartAsync(home, data))
        {
            using var client = Client(home, up);
            idle = (await client.CreateClusterAsync(Cluster("idle"))).Value.Id;
            busy = (await client.CreateClusterAsync(Cluster("busy"))).Value.Id;
            await client.WaitForClusterReadyAsync(idle);
            await client.WaitForClusterReadyAsync(busy);
            // Short enough to end by itself: the killed server's task is orphaned, and nothing here may outlive the test.
            jobId = (await client.CreateJobAsync(new JobRequestBuilder().WithName("long").OnCluster(busy)
                .AddTask("t", "sleep 3", 1, t => t.WithMaxRetries(3)).Build())).Value.Id;
            await WaitAsync(async () => (await client.GetJobAsync(jobId)).Value.State == JobStates.Running, "the job running");

            await client.StopJobAsync(jobId);
            await client.TerminateClusterAsync(idle);
            up.KillHard();
        }

        await using var again = await UpProcess.StartAsync(home, data);
        using var after = Client(home, again);
        await WaitAsync(async () => (await after.GetClusterAsync(idle)).Value.State == ClusterStates.Terminated, $"cluster {idle} terminated");
        await WaitAsync(async () => (await after.GetJobAsync(jobId)).Value.State is JobStates.Stopped or JobStates.Finished or JobStates.Failed, $"job {jobId} ended");
        var job = (await after.GetJobAsync(jobId)).Value;
        Assert.Equal(JobStates.Stopped, job.State);
        Assert.Equal(ClusterStates.Waiting, (await after.GetClusterAsync(busy)).Value.State);
    }

    private static SluiceClient Client(string home, UpProcess up)
    {
        var key = SluiceCredentials.FromProfile(SluiceCredentials.DefaultProfileName, Path.Combine(home, ".sluice", "credentials"));
        return new SluiceClient(up.Endpoint, new SluiceCredentials(key.AccessKeyId, key.SecretAccessKey));
    }

    private static CreateClusterRequest Cluster(string name) => new ClusterRequestBuilder()
        .WithName(name)
        .AddInstanceGroup(InstanceRole.Master, "g.small", 1)
        .AddInstanceGroup(InstanceRole.Core, "g.small", 1)
        .KeepAlive()
        .Build();

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"{what}: not so within 60 s");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
