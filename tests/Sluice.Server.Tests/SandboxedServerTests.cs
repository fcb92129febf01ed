using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Backends.Local;
using Sluice.Client;
using Sluice.Contracts;
using Sluice.Server.Hosting;

namespace Sluice.Server.Tests;

/// <summary>A server whose local backend runs every task in a bubblewrap sandbox (issue #15).</summary>
public sealed class SandboxedServerFixture : ServerFixture
{
    protected override void Configure(SluiceServerOptions options) => options.TaskIsolation = TaskIsolationMode.Sandbox;
}

/// <summary>Issue #15: on a sandboxed server a task cannot read the server's database, logs or another job's files, and still runs as a task should.</summary>
public sealed class SandboxedServerTests(SandboxedServerFixture server) : IClassFixture<SandboxedServerFixture>
{
    private SluiceClient Client => server.Client;

    [Fact]
    public async Task Job_TaskProbesTheServersFiles_SeesNoneAndItsOwnWorkRuns()
    {
        var db = Path.Combine(server.DataDirectory, "sluice.db");
        Assert.True(File.Exists(db));
        var job = new JobRequestBuilder().WithName("probe").OnCluster(server.SharedClusterId)
            .AddTask("probe", $"for f in {db} {server.DataDirectory}/logs {server.DataDirectory}/keys {AppContext.BaseDirectory}; do ls $f >/dev/null 2>&1 && echo SAW $f; done; echo done > out.txt; cat out.txt")
            .Build();

        var done = await Client.WaitForJobAsync((await Client.CreateJobAsync(job)).Value.Id, ServerFixture.Fast);

        Assert.Equal(JobStates.Finished, done.Job.State);
        var stdout = Encoding.UTF8.GetString((await Client.ReadLogAsync(done.Job.Id, "probe", 0)).Value.Data.Span);
        Assert.Equal("done\n", stdout);
    }

    [Fact]
    public async Task StreamingStep_OnASandboxedServer_FailsStreamingNotIsolated()
    {
        var (added, _) = await server.App.Services.GetRequiredService<Core.Steps.StepService>().AddAsync(server.Key.AccountId, server.SharedClusterId,
            new AddStepsRequest
            {
                Steps = [new StepConfig
                {
                    Name = "wc", Type = "Streaming", ActionOnFailure = "Continue",
                    Properties = new StepProperties { Mapper = "cat", Reducer = "wc -l", Input = ["/etc/hostname"], Output = Path.Combine(server.DataDirectory, "out-" + Guid.NewGuid().ToString("N")) },
                }],
            }, null, CancellationToken.None);

        var step = await Client.WaitForStepAsync(server.SharedClusterId, added[0].Id, ServerFixture.Fast);

        Assert.Equal("Failed", step.State);
        Assert.Equal("StreamingNotIsolated", step.FailureDetails?.Reason);
    }

    [Fact]
    public async Task TwoAccounts_BsTaskProbesAsFilesAndWorkingDirectory_SeesNothingOfThem_Issue15()
    {
        // Account A's job leaves a log and a file in its working directory (a long task keeps the directory in use).
        var a = Client;
        var aJob = (await a.CreateJobAsync(new JobRequestBuilder().WithName("a-secret").OnCluster(server.SharedClusterId)
            .AddTask("t", "echo a-secret-log; echo a-secret-file > secret.txt; echo $PWD > ../a-pwd-$SLUICE_JOB_ID 2>/dev/null; pwd; sleep 20").Build())).Value;
        await WaitAsync(async () => (await a.ReadLogAsync(aJob.Id, "t", 0)).Value.Data.Length > 0, "A's task running");
        var aLog = Encoding.UTF8.GetString((await a.ReadLogAsync(aJob.Id, "t", 0)).Value.Data.Span);
        var aWorkingDirectory = aLog.Split('\n')[1];
        var logs = Path.Combine(server.DataDirectory, "logs", server.Key.AccountId);
        Assert.True(Directory.Exists(logs), logs);

        // Account B, made by the admin (a sandboxed server hosts several accounts), probes everything of A's it can name.
        var created = (await a.CreateAccountAsync("tenant-b")).Value;
        using var b = server.NewClient(new Sluice.Core.Model.AccessKey(created.AccessKey.AccessKeyId, created.Account.Id, created.AccessKey.SecretAccessKey, true, DateTimeOffset.UtcNow));
        var bCluster = (await b.CreateClusterAsync(new ClusterRequestBuilder().WithName("b")
            .AddInstanceGroup(InstanceRole.Master, "g.small", 1).AddInstanceGroup(InstanceRole.Core, "g.small", 1).KeepAlive().Build())).Value;
        await b.WaitForClusterReadyAsync(bCluster.Id, ServerFixture.Fast);
        var probe = string.Join("; ", new[]
        {
            $"cat {aWorkingDirectory}/secret.txt", $"ls {aWorkingDirectory}", $"cat {logs}/jobs/{aJob.Id}/t/*", $"ls {logs}",
            $"cat {server.DataDirectory}/sluice.db", $"cat {server.DataDirectory}/keys/secrets.key", "ps -e -o args",
        }.Select(c => $"{c} 2>/dev/null"));
        var bJob = (await b.CreateJobAsync(new JobRequestBuilder().WithName("b-probe").OnCluster(bCluster.Id).AddTask("p", probe + "; true").Build())).Value;
        var done = await b.WaitForJobAsync(bJob.Id, ServerFixture.Fast);

        Assert.Equal(JobStates.Finished, done.Job.State);
        var seen = Encoding.UTF8.GetString((await b.ReadLogAsync(bJob.Id, "p", 0)).Value.Data.Span);
        Assert.DoesNotContain("a-secret", seen, StringComparison.Ordinal);
        Assert.DoesNotContain("SQLite", seen, StringComparison.Ordinal);
        Assert.DoesNotContain("sleep 20", seen, StringComparison.Ordinal);
        // B cannot read A's logs through the API either.
        var refused = await Assert.ThrowsAsync<SluiceServiceException>(() => b.ReadLogAsync(aJob.Id, "t", 0));
        Assert.Equal(404, refused.StatusCode);
        await a.StopJobAsync(aJob.Id);
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"{what}: not so within 30 s");
            }
            await Task.Delay(100);
        }
    }
}
