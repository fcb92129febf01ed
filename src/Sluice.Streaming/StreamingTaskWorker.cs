using System.Text.Json;
using Sluice.Streaming.Internal;

namespace Sluice.Streaming;

/// <summary>
/// Runs one task attempt on this machine: prepares the working directory (symlinks to cache files and
/// archives), runs the commands, writes outputs under <see cref="StreamingTaskSpec.OutputDirectory"/>.
/// A remote worker process calls this with a spec it received as JSON.
/// </summary>
public static class StreamingTaskWorker
{
    /// <summary>Job output file name of a map (map-only) or reduce task: <c>part-00000</c>.</summary>
    public static string PartName(int index) => $"part-{index:D5}";

    /// <summary>Name of the sorted map output file holding one partition.</summary>
    public static string MapOutputName(int partition) => MapOutputCollector.OutputName(partition);

    /// <summary>Runs the attempt. Failures are reported in the result; only cancellation throws.</summary>
    public static async Task<StreamingTaskResult> RunAsync(StreamingTaskSpec task, CancellationToken cancellationToken)
    {
        var result = new StreamingTaskResult();
        try
        {
            Directory.CreateDirectory(task.OutputDirectory);
            PrepareWorkingDirectory(task);
            if (task.Kind == StreamingTaskKind.Map)
            {
                await MapTask.RunAsync(task, result, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await ReduceTask.RunAsync(task, result, cancellationToken).ConfigureAwait(false);
            }
            result.Succeeded = true;
            result.OutputFiles.AddRange(Directory.EnumerateFiles(task.OutputDirectory).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (StreamingTaskException e)
        {
            result.Error = e.Message;
            result.ExitCode = e.ExitCode;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or StreamingUsageException)
        {
            result.Error = e.Message;
        }
        finally
        {
            Directories.TryDelete(task.WorkingDirectory);
            if (!result.Succeeded)
            {
                Directories.TryDelete(task.OutputDirectory);
            }
        }
        return result;
    }

    /// <summary>
    /// For a <c>streaming-task</c> worker process: reads the spec JSON, runs it, writes the result JSON.
    /// Returns 0 when the attempt succeeded, 1 otherwise.
    /// </summary>
    public static async Task<int> RunFromFileAsync(string specPath, string resultPath, CancellationToken cancellationToken)
    {
        StreamingTaskSpec task;
        var input = File.OpenRead(specPath);
        await using (input.ConfigureAwait(false))
        {
            task = await JsonSerializer.DeserializeAsync(input, StreamingJsonContext.Default.StreamingTaskSpec, cancellationToken).ConfigureAwait(false)
                ?? throw new StreamingUsageException($"{specPath} holds no task spec.");
        }
        var result = await RunAsync(task, cancellationToken).ConfigureAwait(false);
        var output = File.Create(resultPath);
        await using (output.ConfigureAwait(false))
        {
            await JsonSerializer.SerializeAsync(output, result, StreamingJsonContext.Default.StreamingTaskResult, cancellationToken).ConfigureAwait(false);
        }
        return result.Succeeded ? 0 : 1;
    }

    private static void PrepareWorkingDirectory(StreamingTaskSpec task)
    {
        Directory.CreateDirectory(task.WorkingDirectory);
        foreach (var (name, target) in task.Links)
        {
            var link = Path.Combine(task.WorkingDirectory, name);
            if (Directory.Exists(target))
            {
                Directory.CreateSymbolicLink(link, target);
            }
            else if (File.Exists(target))
            {
                File.CreateSymbolicLink(link, target);
            }
            else
            {
                throw new StreamingTaskException($"cache file '{target}' (linked as '{name}') does not exist on this node.");
            }
        }
    }
}
