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
            .AddTask("probe", $"for f in {db} {server.DataDirectory}/logs {server.DataDirectory}/keys; do ls $f >/dev/null 2>&1 && echo SAW $f; done; echo done > out.txt; cat out.txt")
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
}
