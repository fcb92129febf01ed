using System.Globalization;
using Microsoft.Extensions.Logging;
using Sluice.Core.Model;
using Sluice.Core.Ports;
using Sluice.Core.Steps;
using Sluice.Streaming;

namespace Sluice.Core.Scheduling;

/// <summary>
/// A running step's driver, off the loop: fetches the step's files and runs its program, or for a streaming step runs the
/// streaming engine in the server with its map and reduce tasks as processes on the cluster's node slots. Every process
/// it starts is queued on the loop for a slot (<see cref="StepQueue"/>) like a job instance.
/// </summary>
internal sealed partial class StepExecution(SchedulerParts parts, LogPaths logs, SluiceOptions options, StepCommandBuilder stepCommands,
    IStreamingStore? streamingStore, ObjectStorage.BucketOwnership? buckets)
{
    /// <summary>Runs the step to its end, off the loop, and reports the outcome to the loop.</summary>
    public async Task DriveAsync(StepRun run, int slots)
    {
        StepFailure? outcome;
        try
        {
            outcome = await CheckBucketsAsync(run).ConfigureAwait(false) ?? (run.Step.Type == StepType.Streaming
                ? await DriveStreamingStepAsync(run, slots).ConfigureAwait(false)
                : await DriveProcessStepAsync(run).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (run.Abort.IsCancellationRequested)
        {
            outcome = null;
        }
        catch (Exception ex)
        {
            LogDriverFailed(parts.Loop.Logger, ex, run.Step.Id);
            outcome = new StepFailure("InternalError", $"the step could not run: {ex.Message}", null);
        }
        parts.Loop.Post(() => parts.Steps.OnEnded(run, outcome));
    }

    /// <summary>
    /// The step's buckets are checked again before any of them is read (not only when it was added): a bucket may have
    /// changed hands since, and recovery re-runs steps that never pass through the services.
    /// </summary>
    private async Task<StepFailure?> CheckBucketsAsync(StepRun run)
    {
        if (buckets is null)
        {
            return null;
        }
        try
        {
            await buckets.AuthorizeAsync(run.Step.AccountId, Sluice.Core.ObjectStorage.BucketUses.Of(run.Step), run.Abort.Token).ConfigureAwait(false);
            return null;
        }
        catch (ServiceException e) when (e.Code == Contracts.ErrorCodes.AccessDenied)
        {
            run.Log($"ERROR {e.Message}");
            return new StepFailure(InstanceErrorCodes.AccessDenied, e.Message, logs.Step(run.Step.AccountId, run.Step.ClusterId, run.Step.Id, StepLog.Controller));
        }
    }

    private async Task<StepFailure?> DriveProcessStepAsync(StepRun run)
    {
        var step = run.Step;
        var stdout = logs.Step(step.AccountId, step.ClusterId, step.Id, StepLog.Stdout);
        var stderr = logs.Step(step.AccountId, step.ClusterId, step.Id, StepLog.Stderr);
        var staging = Path.Combine(options.DataDirectory, "step-files", step.AccountId, step.Id);
        ProcessExit exit;
        try
        {
            var fetched = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (uri, field) in StepCommandBuilder.FilesToFetch(step))
            {
                // One folder per file: two URIs may end in the same name.
                try
                {
                    fetched[uri] = await stepCommands.Files.FetchAsync(uri, Path.Combine(staging, fetched.Count.ToString(CultureInfo.InvariantCulture)), field, run.Abort.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is ServiceException or IOException or UnauthorizedAccessException)
                {
                    return new StepFailure(StepFileUnavailable, $"the step's {field} '{uri}' could not be fetched: {e.Message}", logs.Step(step.AccountId, step.ClusterId, step.Id, StepLog.Controller));
                }
                run.Log($"INFO fetched {uri} to {fetched[uri]}");
            }
            var command = stepCommands.CommandLine(run.Cluster.Cluster, step, fetched);
            Dictionary<string, string>? environment = null;
            var hive = step.Type == StepType.Hive && stepCommands.IsBuiltIn(run.Cluster.Cluster, "hive");
            var pig = step.Type == StepType.Pig && stepCommands.IsBuiltIn(run.Cluster.Cluster, "pig");
            var objects = Path.Combine(staging, "objects");
            IReadOnlyList<string> pigWrites = [], hiveLocations = [];
            if (hive)
            {
                (environment, hiveLocations, var failure) = await PrepareHiveAsync(run, stepCommands.Argv(run.Cluster.Cluster, step, fetched), objects).ConfigureAwait(false);
                if (failure is not null)
                {
                    return failure;
                }
            }
            else if (pig)
            {
                (environment, pigWrites, var failure) = await PreparePigAsync(run, stepCommands.Argv(run.Cluster.Cluster, step, fetched), objects).ConfigureAwait(false);
                if (failure is not null)
                {
                    return failure;
                }
            }
            // A built-in engine's process is the sluice program itself, which a sandbox shows only to these steps; it writes
            // its staged objects and, for Hive, the cluster's metastore.
            IReadOnlyList<string> readOnly = hive || pig ? [staging, .. WorkerDirectories()] : [staging];
            IReadOnlyList<string> writable = hive ? [HiveMetastore(options, step), objects] : pig ? [objects] : [];
            run.Log($"INFO startExec '{command}'");
            exit = await RunProcessAsync(run, step.Id, command, stdout, stderr, CancellationToken.None, readOnly, environment, writable).ConfigureAwait(false);
            if (hive && exit.Reason == ProcessEndReason.Exited && exit.ExitCode == 0 && await CommitHiveAsync(run, objects, hiveLocations).ConfigureAwait(false) is { } commitFailure)
            {
                return commitFailure;
            }
            if (pig && exit.Reason == ProcessEndReason.Exited && exit.ExitCode == 0 && await CommitPigAsync(run, objects, pigWrites).ConfigureAwait(false) is { } pigFailure)
            {
                return pigFailure;
            }
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
        run.Log($"INFO execution ended on {exit.Host ?? "no node"}: {exit.Reason}{(exit.ExitCode is { } code ? $", exit code {code}" : "")}{(exit.Message is null ? "" : ": " + exit.Message)}");
        return exit.Reason switch
        {
            ProcessEndReason.Exited when exit.ExitCode == 0 => null,
            ProcessEndReason.Exited => new StepFailure(InstanceErrorCodes.NonZeroExit,
                $"the step's command exited with code {exit.ExitCode}{(SlotFiles.StderrTail(stderr) is { Length: > 0 } tail ? "; stderr ends with: " + tail : "")}", stderr),
            ProcessEndReason.LaunchFailed => new StepFailure(InstanceErrorCodes.LaunchFailed, exit.Message ?? "the command could not be started", stderr),
            ProcessEndReason.Killed => new StepFailure("Killed", exit.Message ?? "the step's process was killed", stderr),
            ProcessEndReason.TimedOut => new StepFailure(InstanceErrorCodes.TimedOut, exit.Message ?? "timed out", stderr),
            _ => new StepFailure(InstanceErrorCodes.NodeLost, exit.Message ?? "the step's process was lost", stderr),
        };
    }

    private async Task<StepFailure?> DriveStreamingStepAsync(StepRun run, int slots)
    {
        var step = run.Step;
        var stdout = logs.Step(step.AccountId, step.ClusterId, step.Id, StepLog.Stdout);
        var stderr = logs.Step(step.AccountId, step.ClusterId, step.Id, StepLog.Stderr);
        Directory.CreateDirectory(Path.GetDirectoryName(stdout)!);
        if (run.Cluster.Backend.Isolation.IsolatesAccounts)
        {
            // Its map and reduce tasks read inputs and write outputs through this server's object stores and data directory,
            // which an isolated task must not see.
            return new StepFailure("StreamingNotIsolated",
                "a streaming step cannot run on a backend that isolates accounts yet: its map and reduce tasks read the object store and the data directory directly; run it with `sluice streaming`, or on a server without task isolation", null);
        }
        var worker = StreamingWorkerCommand.Resolve(options);
        if (worker is null)
        {
            return new StepFailure(InstanceErrorCodes.LaunchFailed,
                "no streaming worker program: run the server from the sluice program, or set SluiceOptions.StreamingWorkerCommand", null);
        }
        var files = stepCommands.Files;
        var argv = StepRequestValidator.StreamingArgv(step.Properties, u => files.ToLocalPath(u, "input/output"), CachePath);
        foreach (var extra in step.AdditionalFiles)
        {
            argv.AddRange(["-files", $"{files.ToLocalPath(extra.Remote!, "additionalFiles.remote")}#{extra.Local}"]);
        }
        var spec = StreamingArguments.Parse(argv);
        spec.Parallelism = Math.Max(1, slots);
        // An object-URI output is committed by upload: its intermediate files go where the nodes can see them.
        var staging = Path.Combine(options.DataDirectory, "step-files", step.AccountId, step.Id);
        if (streamingStore is not null && streamingStore.Handles(spec.Output))
        {
            spec.TemporaryDirectory = staging;
        }
        run.Log($"INFO streaming job: {ShellWords.Join(argv)}");
        run.Log($"INFO map and reduce tasks run as processes on the cluster's node slots ({slots} slots): {ShellWords.Join(worker)} streaming-task SPEC RESULT");
        var directory = Path.Combine(logs.StepDirectory(step.AccountId, step.ClusterId, step.Id), "tasks");
        var executor = new NodeStreamingTaskExecutor(directory, worker,
            (name, command, outPath, errPath, ct) => RunProcessAsync(run, $"{step.Id}.{name}", command, outPath, errPath, ct), run.Log, streamingStore);
        StreamingJobResult result;
        try
        {
            result = await new StreamingEngine(executor, parts.Loop.Time, streamingStore).RunAsync(spec, run.Abort.Token).ConfigureAwait(false);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
        await File.WriteAllTextAsync(stdout, StreamingTool.ToText(result), CancellationToken.None).ConfigureAwait(false);
        foreach (var warning in result.Warnings)
        {
            run.Log($"WARN {warning}");
        }
        run.Log($"INFO streaming job {result.JobId} {result.State}: {result.MapTasks} map and {result.ReduceTasks} reduce task(s) in {result.Elapsed.TotalSeconds:0.###} s");
        if (result.Succeeded)
        {
            return null;
        }
        await File.WriteAllTextAsync(stderr, result.Error + "\n", CancellationToken.None).ConfigureAwait(false);
        return result.State == StreamingJobState.Cancelled
            ? null
            : new StepFailure("StreamingJobFailed", result.Error ?? "the streaming job failed", stderr);

        string CachePath(string entry)
        {
            var hash = entry.IndexOf('#', StringComparison.Ordinal);
            return hash < 0 ? files.ToLocalPath(entry, "cacheFiles") : files.ToLocalPath(entry[..hash], "cacheFiles") + entry[hash..];
        }
    }

    /// <summary>The folders of the sluice program a built-in engine runs as (the program, or its dll and the muxer's folder).</summary>
    private IEnumerable<string> WorkerDirectories() =>
        (StreamingWorkerCommand.Resolve(options) ?? []).Where(Path.IsPathRooted).Select(p => Path.GetDirectoryName(p)!).Distinct(StringComparer.Ordinal);

    /// <summary>Queues a process of the step for a node slot and waits for its end. Cancelling kills it.</summary>
    /// <param name="run">The step's run.</param>
    /// <param name="name">The process's name for the backend.</param>
    /// <param name="command">Its command line.</param>
    /// <param name="stdout">Its stdout file.</param>
    /// <param name="stderr">Its stderr file.</param>
    /// <param name="cancellationToken">Kills it.</param>
    /// <param name="readOnlyPaths">What the process reads outside its working directory (the step's fetched files), for a backend that isolates tasks.</param>
    /// <param name="environment">Variables added to the process's environment (a built-in Hive step's metastore, staging and limits).</param>
    /// <param name="writablePaths">What the process writes outside its working directory (a built-in Hive step's metastore and staged objects).</param>
    private async Task<ProcessExit> RunProcessAsync(StepRun run, string name, string command, string stdout, string stderr, CancellationToken cancellationToken,
        IReadOnlyList<string>? readOnlyPaths = null, IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? writablePaths = null)
    {
        var process = new StepProcess(run, new LaunchRequest
        {
            Name = name,
            ClusterId = run.Cluster.Cluster.Id,
            NodeId = "",
            CommandLine = command,
            WorkingDirectory = "",
            StdoutPath = stdout,
            StderrPath = stderr,
            ReadOnlyPaths = readOnlyPaths ?? [],
            WritablePaths = writablePaths ?? [],
            Environment = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["SLUICE_CLUSTER_ID"] = run.Cluster.Cluster.Id,
                ["SLUICE_STEP_ID"] = run.Step.Id,
                ["SLUICE_STEP_NAME"] = run.Step.Name,
            }.Concat(environment ?? new Dictionary<string, string>()).ToDictionary(StringComparer.Ordinal),
        });

        if (!parts.Loop.TryPost(() => parts.Steps.QueueProcess(process)))
        {
            return NotLaunched("the server is stopping", parts.Loop.Now);
        }
        using var registration = cancellationToken.Register(() => parts.Loop.Post(() => parts.Steps.KillProcess(process)));
        return await process.Exit.Task.ConfigureAwait(false);
    }

    /// <summary>Runs a step process the loop placed on a node, and posts its end to the loop.</summary>
    public async Task RunOnNodeAsync(ClusterRuntime cluster, StepProcess process, LaunchRequest request)
    {
        ProcessExit exit;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(request.StdoutPath)!);
            var running = await cluster.Backend.LaunchAsync(request, CancellationToken.None).ConfigureAwait(false);
            if (process.Attach(running))
            {
                await running.KillAsync(CancellationToken.None).ConfigureAwait(false);
            }
            exit = await running.Completion.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            exit = new ProcessExit(ProcessEndReason.LaunchFailed, null, ex.Message, parts.Loop.Now, parts.Loop.Now, null);
        }
        if (options.RemoveInstanceWorkingDirectories && process.WorkingDirectory is { } dir)
        {
            SlotFiles.Empty(dir);
        }
        parts.Loop.Post(() => parts.Steps.OnProcessExited(cluster, process, exit));
    }
    /// <summary>The failure reason of a step whose jar or script could not be fetched from its object store before launch.</summary>
    private const string StepFileUnavailable = "StepFileUnavailable";

    public static ProcessExit NotLaunched(string why, DateTimeOffset now) => new(ProcessEndReason.Killed, null, $"not launched: {why}", now, now, null);

    [LoggerMessage(Level = LogLevel.Error, Message = "the driver of step {StepId} failed")]
    private static partial void LogDriverFailed(ILogger logger, Exception exception, string stepId);
}
