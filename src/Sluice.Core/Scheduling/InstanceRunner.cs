using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Sluice.Core.Logs;
using Sluice.Core.Mounts;
using Sluice.Core.ObjectStorage;
using Sluice.Core.Packages;
using Sluice.Core.Ports;
using Sluice.Core.Telemetry;

namespace Sluice.Core.Scheduling;

/// <summary>
/// One attempt, off the loop: unpacks its package, copies its mounts in, launches it, waits for its end, writes its
/// mounts back, empties its slot, and posts the outcome to the loop.
/// </summary>
internal sealed partial class InstanceRunner(SchedulerParts parts, SluiceOptions options, IInstanceLifecycleObserver[] observers,
    PackageCache? packages, MountManager? mounts, BucketOwnership? buckets)
{
    /// <param name="run">The attempt.</param>
    /// <param name="request">Its launch.</param>
    /// <param name="logs">What the log observers are told; null when nobody observes.</param>
    /// <param name="recorded">Completes once the attempt's Running row is committed; the launch waits for it when given.</param>
    public async Task RunAsync(InstanceRun run, LaunchRequest request, InstanceLogInfo? logs, Task? recorded = null)
    {
        var now = parts.Loop.Now;
        ProcessExit exit;
        IReadOnlyList<MountedFolder> mounted = [];
        var launched = false;
        IRunningProcess? process = null;
        var accountId = run.Task.Task.AccountId;
        using var activity = StartAttempt(run);
        try
        {
            // Checked again here, not only at submit: a bucket may have changed hands since, and recovery re-runs work
            // that never passes through the services.
            if (buckets is not null)
            {
                await buckets.AuthorizeAsync(accountId, Reads(run), CancellationToken.None).ConfigureAwait(false);
            }
            if (run.Task.Task.PackagePath is { } package)
            {
                if (packages is null)
                {
                    throw new ServiceException(Contracts.ErrorCodes.PackageUnavailable, $"package '{package}' cannot be used: this scheduler has no package cache");
                }
                await packages.UnpackIntoAsync(package, request.WorkingDirectory, CancellationToken.None).ConfigureAwait(false);
            }
            if (run.Mounts.Count > 0)
            {
                if (mounts is null)
                {
                    throw new ServiceException(Contracts.ErrorCodes.MountUnavailable, $"mount '{run.Mounts[0].Source}' cannot be copied in: this scheduler has no mount support");
                }
                mounted = await mounts.CopyInAsync(run.Mounts, request.WorkingDirectory, CancellationToken.None).ConfigureAwait(false);
            }
            if (recorded is not null)
            {
                await recorded.ConfigureAwait(false);
            }
            process = await run.Cluster.Backend.LaunchAsync(request, CancellationToken.None).ConfigureAwait(false);
            launched = true;
            parts.Metrics.Launched(run.Cluster.Backend.Name);
            Notify(logs, started: true);
            exit = await AttendAsync(run, process).ConfigureAwait(false);
        }
        catch (ServiceException ex) when (ex.Code is Contracts.ErrorCodes.PackageUnavailable or Contracts.ErrorCodes.MountUnavailable or Contracts.ErrorCodes.AccessDenied)
        {
            run.PreparationFailure = ex.Code;
            exit = new ProcessExit(ProcessEndReason.LaunchFailed, null, ex.Message, now, parts.Loop.Now, null);
        }
        catch (Exception ex)
        {
            exit = new ProcessExit(ProcessEndReason.LaunchFailed, null, ex.Message, now, parts.Loop.Now, null);
        }
        await FinishAsync(run, request, logs, exit, launched ? mounted : null, process).ConfigureAwait(false);
        EndAttempt(activity, exit);
    }

    /// <summary>
    /// The span of one attempt, from its preparation to its outcome: a root of its own trace (one job's attempts may be
    /// thousands, over hours), linked to the span of the request that submitted the job when this server still has it.
    /// </summary>
    private static Activity? StartAttempt(InstanceRun run)
    {
        if (!CoreActivities.Source.HasListeners())
        {
            return null;
        }
        var submit = run.Job.Job.SubmitTrace;
        var activity = CoreActivities.Source.StartActivity("Scheduler.RunInstance", ActivityKind.Internal, parentContext: default,
            links: submit == default ? null : [new ActivityLink(submit)]);
        activity?.SetTag("sluice.job.id", run.Job.Job.Id).SetTag("sluice.task.name", run.Task.Task.Name)
            .SetTag("sluice.instance.index", run.Index).SetTag("sluice.instance.attempt", run.Attempt)
            .SetTag("sluice.node.id", run.Node.Node.Id).SetTag("sluice.backend", run.Cluster.Backend.Name);
        return activity;
    }

    private static void EndAttempt(Activity? activity, ProcessExit exit)
    {
        if (activity is null)
        {
            return;
        }
        activity.SetTag("sluice.instance.end", exit.Reason.ToString());
        if (exit.ExitCode is { } code)
        {
            activity.SetTag("process.exit.code", code);
        }
        if (exit.Reason != ProcessEndReason.Exited || exit.ExitCode != 0)
        {
            activity.SetStatus(ActivityStatusCode.Error, exit.Reason.ToString());
        }
    }

    /// <summary>
    /// An attempt an earlier run of the server launched, taken back after a restart: waits for its end and records it as
    /// <see cref="RunAsync"/> would. Its mounts were copied in by that server, which kept the list of what to write back in
    /// memory only; they are not written back (docs/architecture.md, "Running work across a crash").
    /// </summary>
    public async Task AttendAdoptedAsync(InstanceRun run, IRunningProcess process, LaunchRequest request, InstanceLogInfo? logs)
    {
        Notify(logs, started: true);
        var exit = await AttendAsync(run, process).ConfigureAwait(false);
        await FinishAsync(run, request, logs, exit, mounted: null, process).ConfigureAwait(false);
    }

    private static async Task<ProcessExit> AttendAsync(InstanceRun run, IRunningProcess process)
    {
        if (run.Attach(process))
        {
            await process.KillAsync(CancellationToken.None).ConfigureAwait(false);
        }
        return await process.Completion.ConfigureAwait(false);
    }

    /// <summary>
    /// After the end: writes back the mounts copied in (none when the attempt never launched or was adopted), tells the
    /// observers, empties the slot, and posts the outcome; once that is committed, the backend may forget the end.
    /// </summary>
    private async Task FinishAsync(InstanceRun run, LaunchRequest request, InstanceLogInfo? logs, ProcessExit exit, IReadOnlyList<MountedFolder>? mounted, IRunningProcess? process)
    {
        var accountId = run.Task.Task.AccountId;
        if (mounted is not null && mounts is not null)
        {
            // Whatever the end (finished, failed, timed out, stopped), as a network mount would have kept the writes.
            try
            {
                if (buckets is not null)
                {
                    await buckets.AuthorizeAsync(accountId, BucketUses.Of([.. mounted.Where(m => m.Mount.WriteSupport).Select(m => m.Mount)], "mounts"), CancellationToken.None).ConfigureAwait(false);
                }
                await mounts.WriteBackAsync(mounted, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ServiceException ex)
            {
                run.WriteBackFailure = ex.Message;
            }
        }
        Notify(logs, started: false);
        var failureDetail = exit.Reason == ProcessEndReason.Exited && exit.ExitCode != 0 ? SlotFiles.StderrTail(request.StderrPath) : null;
        if (options.RemoveInstanceWorkingDirectories && run.WorkingDirectory is { } dir)
        {
            SlotFiles.Empty(dir);
        }
        parts.Loop.Post(() =>
        {
            parts.Outcomes.OnExited(run, exit, failureDetail);
            if (process is not null && run.Cluster.Backend.KeepsWorkAcrossRestarts)
            {
                _ = parts.Loop.WritesIssuedSoFarAsync().ContinueWith(_ => process.Acknowledge(), TaskScheduler.Default);
            }
        });
    }

    /// <summary>The buckets an attempt reads before it launches: its package's and its mounts' (the log shipper checks the ones it writes).</summary>
    private static IEnumerable<(string Uri, string Field)> Reads(InstanceRun run)
    {
        var uses = BucketUses.Of(run.Mounts, "mounts");
        return run.Task.Task.PackagePath is { } package ? uses.Prepend((package, "packagePath")) : uses;
    }

    /// <summary>Tells the observers (the log shipper) off the loop; they only queue work.</summary>
    private void Notify(InstanceLogInfo? logs, bool started)
    {
        if (logs is not null)
        {
            NotifyObservers(started ? o => o.InstanceStarted(logs) : o => o.InstanceEnded(logs));
        }
    }

    /// <summary>Gives every observer the notice; one that throws is logged and does not stop the others.</summary>
    public void NotifyObservers(Action<IInstanceLifecycleObserver> notice)
    {
        foreach (var observer in observers)
        {
            try
            {
                notice(observer);
            }
            catch (Exception ex)
            {
                LogObserverFailed(parts.Loop.Logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "an instance observer failed")]
    private static partial void LogObserverFailed(ILogger logger, Exception exception);
}
