using Sluice.Core.Model;
using Sluice.Core.ObjectStorage;
using Sluice.Core.Ports;
using Sluice.Core.Steps;

namespace Sluice.Core.Scheduling;

/// <summary>
/// Runs a cluster's bootstrap actions on each new node, in order, off the loop; the first failure ends the node. A script
/// given as an object URI (EMR's <c>s3://bucket/setup.sh</c>) is fetched into the node's directory and run from there.
/// </summary>
internal sealed class NodeBootstrap(SchedulerParts parts, LogPaths logs, SluiceOptions options, IStepFileResolver? files = null, BucketOwnership? buckets = null)
{
    public void Start(ClusterRuntime cluster, NodeRuntime node)
    {
        var actions = cluster.Cluster.BootstrapActions.Select((a, i) => (Action: a, Index: i)).Where(a => Applies(a.Action.Target, node.Node.Role)).ToList();
        _ = Task.Run(async () =>
        {
            var failure = await RunAsync(cluster, node, actions).ConfigureAwait(false);
            parts.Loop.Post(() => parts.Clusters.OnNodeBootstrapped(cluster, node, failure));
        });
    }

    /// <summary>Kills the bootstrap processes that run now (the cluster is ending or the server stopping).</summary>
    public static void KillAll(ClusterRuntime cluster)
    {
        foreach (var process in cluster.BootstrapProcesses)
        {
            _ = process.KillAsync(CancellationToken.None);
        }
    }

    private static bool Applies(BootstrapTarget target, InstanceRole role) => target switch
    {
        BootstrapTarget.Master => role == InstanceRole.Master,
        BootstrapTarget.Workers => role != InstanceRole.Master,
        _ => true,
    };

    private async Task<StateReason?> RunAsync(ClusterRuntime cluster, NodeRuntime node, List<(BootstrapAction Action, int Index)> actions)
    {
        var loop = parts.Loop;
        foreach (var (action, index) in actions)
        {
            var stdout = logs.Bootstrap(cluster.Cluster.AccountId, cluster.Cluster.Id, node.Node.Id, index, ProcessOutput.Stdout);
            var request = new LaunchRequest
            {
                Name = $"{cluster.Cluster.Id}-bootstrap-{index + 1}",
                ClusterId = cluster.Cluster.Id,
                NodeId = node.Node.Id,
                CommandLine = ShellWords.Join([action.Path, .. action.Arguments]),
                WorkingDirectory = node.Node.WorkDirectory ?? options.DataDirectory,
                Environment = Clusters.NodeEnvironment.Of(node.Node),
                StdoutPath = stdout,
                StderrPath = logs.Bootstrap(cluster.Cluster.AccountId, cluster.Cluster.Id, node.Node.Id, index, ProcessOutput.Stderr),
            };
            ProcessExit exit;
            try
            {
                if (files is not null && ObjectStepFileResolver.IsObjectUri(action.Path))
                {
                    // The bucket may have changed hands since the cluster was created.
                    if (buckets is not null)
                    {
                        await buckets.AuthorizeAsync(cluster.Cluster.AccountId, action.Path, "bootstrapActions.path", CancellationToken.None).ConfigureAwait(false);
                    }
                    var script = await files.FetchAsync(action.Path, Path.Combine(request.WorkingDirectory, "bootstrap", (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                        "bootstrapActions.path", CancellationToken.None).ConfigureAwait(false);
                    if (!OperatingSystem.IsWindows())
                    {
                        File.SetUnixFileMode(script, File.GetUnixFileMode(script) | UnixFileMode.UserExecute | UnixFileMode.UserRead);
                    }
                    request = request with { CommandLine = ShellWords.Join([script, .. action.Arguments]) };
                }
                var process = await cluster.Backend.LaunchAsync(request, CancellationToken.None).ConfigureAwait(false);
                loop.Post(() =>
                {
                    cluster.BootstrapProcesses.Add(process);
                    if (cluster.Terminating || parts.State.Stopping)
                    {
                        _ = process.KillAsync(CancellationToken.None);
                    }
                });
                exit = await process.Completion.ConfigureAwait(false);
                loop.Post(() => cluster.BootstrapProcesses.Remove(process));
            }
            catch (Exception ex)
            {
                exit = new ProcessExit(ProcessEndReason.LaunchFailed, null, ex.Message, loop.Now, loop.Now, null);
            }
            if (exit.Reason != ProcessEndReason.Exited || exit.ExitCode != 0)
            {
                var how = exit.Reason == ProcessEndReason.Exited ? $"exit code {exit.ExitCode}" : $"{exit.Reason}: {exit.Message}";
                return new StateReason(StateReason.BootstrapFailure,
                    $"bootstrap action '{action.Name}' ({action.Path}) failed on node {node.Node.Id} ({how}); its log: {stdout} and {request.StderrPath}");
            }
        }
        return null;
    }
}
