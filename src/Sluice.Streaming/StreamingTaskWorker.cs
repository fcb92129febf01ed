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
    public static Task<StreamingTaskResult> RunAsync(StreamingTaskSpec task, CancellationToken cancellationToken) =>
        RunAsync(task, null, cancellationToken);

    /// <summary>
    /// Runs the attempt; a map task whose split is an object URI reads it through <paramref name="store"/> as a stream.
    /// Failures are reported in the result; only cancellation throws.
    /// </summary>
    public static async Task<StreamingTaskResult> RunAsync(StreamingTaskSpec task, IStreamingStore? store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        var result = new StreamingTaskResult();
        try
        {
            Directory.CreateDirectory(task.OutputDirectory);
            PrepareWorkingDirectory(task);
            if (task.Kind == StreamingTaskKind.Map)
            {
                await MapTask.RunAsync(task, store, result, cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// For a worker that cannot reach the object store: copies the lines an object-URI split owns (a compressed one
    /// whole) into the local file <paramref name="path"/> and returns the split to give the worker instead. Only the
    /// split's bytes (up to the end of its last line) are read, never the whole object.
    /// </summary>
    public static async Task<StreamingInputSplit> StageSplitAsync(StreamingInputSplit split, IStreamingStore store, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(store);
        var source = await store.OpenReadAsync(split.Path, split.Compressed ? 0 : split.Start, cancellationToken).ConfigureAwait(false);
        var target = EmptyFile.OpenWrite(path, FileShare.None, 1 << 16);
        if (split.Compressed)
        {
            await using (source.ConfigureAwait(false))
            await using (target.ConfigureAwait(false))
            {
                await source.CopyToAsync(target, 1 << 20, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            // Feed disposes both streams.
            await Threads.Run(() => SplitFeeder.Feed(split, source, target)).ConfigureAwait(false);
        }
        return new StreamingInputSplit(path, 0, new FileInfo(path).Length, split.Compressed);
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
