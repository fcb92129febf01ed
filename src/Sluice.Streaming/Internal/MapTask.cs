using System.Text;

namespace Sluice.Streaming.Internal;

/// <summary>Runs the mapper over one split; output goes to a part file (map-only) or sorted partition files.</summary>
internal static class MapTask
{
    public static async Task RunAsync(StreamingTaskSpec task, IStreamingStore? store, StreamingTaskResult result, CancellationToken cancellationToken)
    {
        var split = task.Split ?? throw new StreamingTaskException("map task without an input split");
        var command = task.Command ?? throw new StreamingTaskException("map task without a mapper command");
        var counters = result.Counters;
        var source = await OpenObjectAsync(split, store, cancellationToken).ConfigureAwait(false);
        StreamingCommandProcess child;
        try
        {
            child = StreamingCommandProcess.Start(command, task);
        }
        catch
        {
            source?.Dispose();
            throw;
        }
        using var started = child;
        using var registration = cancellationToken.Register(child.Kill);
        var feed = Threads.Run(() => SplitFeeder.Feed(split, source, child.Stdin));
        MapOutputCollector? collector = null;
        TextOutput? output = null;
        var collect = Threads.Run(() =>
        {
            var reader = new LineReader(child.Stdout);
            if (task.NumPartitions == 0)
            {
                output = new TextOutput(Path.Combine(task.OutputDirectory, StreamingTaskWorker.PartName(task.Index)), Encoding.UTF8.GetBytes(task.Settings.OutputSeparator));
                var splitter = new FieldSplitter(Encoding.UTF8.GetBytes(task.Settings.MapOutputFieldSeparator), task.Settings.MapOutputKeyFields);
                while (reader.TryReadLine(out var line))
                {
                    output.WriteLine(line, splitter);
                }
                output.Flush();
            }
            else
            {
                collector = new MapOutputCollector(task, result);
                while (reader.TryReadLine(out var line))
                {
                    collector.Add(line);
                }
            }
        });
        try
        {
            try
            {
                await Task.WhenAll(feed, collect).ConfigureAwait(false);
            }
            catch
            {
                child.Kill();
                throw;
            }
            var exit = await child.WaitAsync(cancellationToken).ConfigureAwait(false);
            child.Report(result);
            cancellationToken.ThrowIfCancellationRequested();
            if (exit != 0 && task.Settings.NonZeroExitIsFailure)
            {
                throw new StreamingTaskException($"mapper '{task.Command}' exited with code {exit}.", exit);
            }
            var fed = await feed.ConfigureAwait(false);
            counters.Increment(StreamingCounters.FrameworkGroup, StreamingCounters.MapInputRecords, fed.Records);
            counters.Increment(StreamingCounters.FrameworkGroup, StreamingCounters.MapInputBytes, fed.Bytes);
            counters.Increment(StreamingCounters.InputFormatGroup, StreamingCounters.BytesRead, fed.BytesRead);
            if (output is not null)
            {
                counters.Increment(StreamingCounters.FrameworkGroup, StreamingCounters.MapOutputRecords, output.Records);
                counters.Increment(StreamingCounters.OutputFormatGroup, StreamingCounters.BytesWritten, output.Bytes);
            }
            if (collector is not null)
            {
                counters.Increment(StreamingCounters.FrameworkGroup, StreamingCounters.MapOutputRecords, collector.Records);
                counters.Increment(StreamingCounters.FrameworkGroup, StreamingCounters.MapOutputBytes, collector.Bytes);
                await Threads.Run(collector.Finish).ConfigureAwait(false);
            }
        }
        finally
        {
            output?.Dispose();
        }
    }

    /// <summary>A stream over an object-URI split from its start (a compressed one whole), or null for a local file.</summary>
    private static async Task<Stream?> OpenObjectAsync(StreamingInputSplit split, IStreamingStore? store, CancellationToken cancellationToken)
    {
        if (store is null ? !split.Path.Contains("://", StringComparison.Ordinal) : !store.Handles(split.Path))
        {
            return null;
        }
        if (store is null)
        {
            throw new StreamingTaskException($"the input split {split.Path} is an object URI and this worker has no object store to read it from.");
        }
        try
        {
            return await store.OpenReadAsync(split.Path, split.Compressed ? 0 : split.Start, cancellationToken).ConfigureAwait(false);
        }
        catch (StreamingStoreException e)
        {
            throw new StreamingTaskException($"cannot read the input split {split.Path}: {e.Message}");
        }
    }
}
