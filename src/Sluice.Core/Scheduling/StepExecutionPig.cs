using System.Globalization;
using Sluice.Core.Model;
using Sluice.Hive;
using Sluice.Pig;
using Sluice.Pig.Io;
using Sluice.Streaming;

namespace Sluice.Core.Scheduling;

/// <summary>
/// A Pig step on Sluice's embedded engine (no pig program registered), staged as a built-in Hive step is: the server
/// lists the object URIs the script LOADs and STOREs into (after its <c>-p</c> parameters, the step's INPUT and OUTPUT
/// among them), checks each against the caller's buckets, downloads the inputs into the step's staging folder, runs
/// <c>sluice pig</c> with only that folder as its object store (<see cref="StagedObjectStore"/>), and after a successful
/// run uploads what it stored, checked again.
/// </summary>
internal sealed partial class StepExecution
{
    private async Task<(Dictionary<string, string>? Environment, IReadOnlyList<string> Writes, StepFailure? Failure)> PreparePigAsync(StepRun run, IReadOnlyList<string> argv, string root)
    {
        var step = run.Step;
        var controller = logs.Step(step.AccountId, step.ClusterId, step.Id, StepLog.Controller);
        PigArguments arguments;
        string? script;
        try
        {
            // The argv is the built-in launcher's: the worker program, "pig", then Pig's own arguments, read as the tool reads them.
            arguments = await PigArguments.ParseAsync(argv.Skip(argv.ToList().IndexOf("pig") + 1).ToList(), run.Abort.Token).ConfigureAwait(false);
            script = arguments.Inline ?? (arguments.ScriptPath is { } file ? await File.ReadAllTextAsync(file, run.Abort.Token).ConfigureAwait(false) : null);
        }
        catch (ArgumentException e)
        {
            return (null, [], new StepFailure(InstanceErrorCodes.LaunchFailed, $"the Pig step's arguments are not Pig's: {e.Message}", controller));
        }
        if (script is null)
        {
            return (null, [], new StepFailure(InstanceErrorCodes.LaunchFailed, "the Pig step's arguments name no script (-f)", controller));
        }
        IReadOnlyList<string> reads, writes;
        try
        {
            (reads, writes) = PigStaging.ObjectLocations(script, arguments.Parameters);
        }
        catch (PigException e)
        {
            return (null, [], new StepFailure(InstanceErrorCodes.NonZeroExit, $"the Pig script does not parse: {e.Message}", controller));
        }
        if (reads.Count + writes.Count > 0)
        {
            if (buckets is null || streamingStore is null)
            {
                return (null, [], new StepFailure(StepFileUnavailable, $"the script names object URIs ({string.Join(", ", reads.Concat(writes))}) but this server has no object storage", controller));
            }
            try
            {
                await buckets.AuthorizeAsync(step.AccountId, reads.Concat(writes).Select(u => (u, "step.properties.script")), run.Abort.Token).ConfigureAwait(false);
            }
            catch (ServiceException e) when (e.Code == Contracts.ErrorCodes.AccessDenied)
            {
                run.Log($"ERROR {e.Message}");
                return (null, [], new StepFailure(InstanceErrorCodes.AccessDenied, $"the Pig script names a location the caller may not use: {e.Message}", controller));
            }
            var storage = new HiveStorage(root, streamingStore);
            foreach (var uri in reads)
            {
                await storage.ForReadAsync(uri, run.Abort.Token).ConfigureAwait(false);
                run.Log($"INFO staged {uri} for the Pig script");
            }
        }
        Directory.CreateDirectory(root);
        var (cpus, memoryMiB) = NodeSize(run);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [StagedObjectStore.Variable] = root,
            // As for Hive: three quarters of the smallest node's memory and its vCPUs.
            [PigTool.MemoryVariable] = (memoryMiB * 3 / 4).ToString(CultureInfo.InvariantCulture) + "MB",
            [PigTool.ThreadsVariable] = Math.Max(1, cpus).ToString(CultureInfo.InvariantCulture),
        };
        return (environment, writes, null);
    }

    /// <summary>Uploads what the script stored, each location checked against the caller's buckets first.</summary>
    private async Task<StepFailure?> CommitPigAsync(StepRun run, string root, IReadOnlyList<string> writes)
    {
        if (writes.Count == 0)
        {
            return null;
        }
        var step = run.Step;
        try
        {
            await buckets!.AuthorizeAsync(step.AccountId, writes.Select(u => (u, "step.properties.script")), run.Abort.Token).ConfigureAwait(false);
        }
        catch (ServiceException e) when (e.Code == Contracts.ErrorCodes.AccessDenied)
        {
            run.Log($"ERROR {e.Message}");
            return new StepFailure(InstanceErrorCodes.AccessDenied, e.Message, logs.Step(step.AccountId, step.ClusterId, step.Id, StepLog.Controller));
        }
        try
        {
            foreach (var uri in writes)
            {
                var local = StagedObjectStore.LocalPath(root, uri);
                NoFollowFiles.CheckNoLinks(root, local);
                if (Directory.Exists(local))
                {
                    await HiveStorage.SyncAsync(streamingStore!, root, local, uri.TrimEnd('/'), run.Abort.Token).ConfigureAwait(false);
                    run.Log($"INFO uploaded {uri}");
                }
            }
        }
        catch (UnsafeFileException e)
        {
            return Refused(run, e.Message, logs.Step(step.AccountId, step.ClusterId, step.Id, StepLog.Controller));
        }
        return null;
    }
}
