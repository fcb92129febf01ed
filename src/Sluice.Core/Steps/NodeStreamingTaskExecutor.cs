using System.Text.Json;
using Sluice.Core.Ports;
using Sluice.Streaming;

namespace Sluice.Core.Steps;

/// <summary>
/// Runs each streaming task attempt as a process on one of the cluster's node slots: the spec goes to a JSON
/// file, <c>sluice streaming-task SPEC RESULT</c> runs it where the scheduler places it, the result comes back
/// as JSON. Task inputs and outputs are files on the file system the nodes share. A split of an object-URI input is
/// staged first (only the lines it owns, into the tasks directory, removed after the attempt): the worker needs no
/// object store credentials.
/// </summary>
/// <param name="directory">Where spec and result files and the attempts' logs go (the step's <c>tasks/</c> directory).</param>
/// <param name="workerCommand">The worker program and its leading arguments.</param>
/// <param name="run">Runs a command line on a node slot with the given stdout and stderr files and returns how it ended.</param>
/// <param name="log">Writes a line to the step's controller log.</param>
/// <param name="store">Where object-URI splits are read from; null when the server has no object storage.</param>
internal sealed class NodeStreamingTaskExecutor(
    string directory,
    IReadOnlyList<string> workerCommand,
    Func<string, string, string, string, CancellationToken, Task<ProcessExit>> run,
    Action<string> log,
    IStreamingStore? store = null) : IStreamingTaskExecutor
{
    public async Task<StreamingTaskResult> ExecuteAsync(StreamingTaskSpec task, CancellationToken cancellationToken)
    {
        var attemptId = task.Environment.TryGetValue("mapreduce_task_attempt_id", out var id) ? id : $"{task.TaskId}_{task.Attempt}";
        Directory.CreateDirectory(directory);
        var spec = Path.Combine(directory, attemptId + ".json");
        var result = Path.Combine(directory, attemptId + ".result.json");
        var stdout = Path.Combine(directory, attemptId + ".stdout");
        var stderr = Path.Combine(directory, attemptId + ".stderr");
        var staged = Path.Combine(directory, attemptId + ".split");
        try
        {
            if (task.Split is { } split && store is not null && store.Handles(split.Path))
            {
                try
                {
                    task.Split = await StreamingTaskWorker.StageSplitAsync(split, store, staged, cancellationToken).ConfigureAwait(false);
                }
                catch (StreamingStoreException e)
                {
                    return new StreamingTaskResult { Succeeded = false, Error = $"the input split {split.Path} could not be read: {e.Message}" };
                }
            }
            return await RunAsync(task, attemptId, spec, result, stdout, stderr, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(staged);
        }
    }

    private async Task<StreamingTaskResult> RunAsync(StreamingTaskSpec task, string attemptId, string spec, string result, string stdout, string stderr, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(spec, JsonSerializer.Serialize(task, StreamingJsonContext.Default.StreamingTaskSpec), cancellationToken).ConfigureAwait(false);
        var command = ShellWords.Join([.. workerCommand, "streaming-task", spec, result]);
        var exit = await run(attemptId, command, stdout, stderr, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        log($"INFO {attemptId} ended on {exit.Host}: {exit.Reason}{(exit.ExitCode is { } code ? $" (exit code {code})" : "")}");
        if (File.Exists(result))
        {
            var text = await File.ReadAllTextAsync(result, cancellationToken).ConfigureAwait(false);
            if (JsonSerializer.Deserialize(text, StreamingJsonContext.Default.StreamingTaskResult) is { } parsed)
            {
                return parsed;
            }
        }
        return new StreamingTaskResult
        {
            Succeeded = false,
            ExitCode = exit.ExitCode,
            Error = $"the task process on {exit.Host ?? "its node"} ended without a result ({exit.Reason}{(exit.ExitCode is { } c ? $", exit code {c}" : "")}{(exit.Message is null ? "" : ": " + exit.Message)}); see {stderr}",
        };
    }
}
