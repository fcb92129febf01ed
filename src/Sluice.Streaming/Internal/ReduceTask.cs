using System.Text;

namespace Sluice.Streaming.Internal;

/// <summary>Merges the sorted map outputs of one partition and streams them through the reducer into a part file.</summary>
internal static class ReduceTask
{
    public static async Task RunAsync(StreamingTaskSpec task, StreamingTaskResult result, CancellationToken cancellationToken)
    {
        var settings = task.Settings;
        var comparer = KeyComparer.Create(settings);
        var sources = task.MapOutputs.Where(File.Exists).Select(p => (RecordSource)new RunReader(p)).ToList();
        using var input = sources.Count == 1 ? sources[0] : new MergingSource(sources, comparer);
        var groups = new GroupCounter(comparer);
        using var output = new TextOutput(Path.Combine(task.OutputDirectory, StreamingTaskWorker.PartName(task.Index)), Encoding.UTF8.GetBytes(settings.OutputSeparator));
        if (task.Command is null)
        {
            await Threads.Run(() =>
            {
                while (input.MoveNext())
                {
                    groups.IsNewGroup(input.Key);
                    output.WriteRecord(input.Key, input.Value);
                }
            }).ConfigureAwait(false);
        }
        else if (Aggregate.Is(task.Command))
        {
            await Threads.Run(() => Aggregate.Run(input, groups, output.WriteRecord)).ConfigureAwait(false);
        }
        else
        {
            using var child = StreamingCommandProcess.Start(task.Command, task);
            using var registration = cancellationToken.Register(child.Kill);
            var separator = Encoding.UTF8.GetBytes(settings.ReduceInputFieldSeparator);
            var splitter = new FieldSplitter(Encoding.UTF8.GetBytes(settings.ReduceOutputFieldSeparator), settings.ReduceOutputKeyFields);
            var exit = await Threads.Run(() => CommandPipe.Run(child, input, separator, groups, line => output.WriteLine(line, splitter))).ConfigureAwait(false);
            child.Report(result);
            cancellationToken.ThrowIfCancellationRequested();
            if (exit != 0 && settings.NonZeroExitIsFailure)
            {
                throw new StreamingTaskException($"reducer '{task.Command}' exited with code {exit}.", exit);
            }
        }
        output.Flush();
        var counters = result.Counters;
        counters.Increment(StreamingCounters.FrameworkGroup, StreamingCounters.ReduceInputGroups, groups.Groups);
        counters.Increment(StreamingCounters.FrameworkGroup, StreamingCounters.ReduceInputRecords, groups.Records);
        counters.Increment(StreamingCounters.FrameworkGroup, StreamingCounters.ReduceOutputRecords, output.Records);
        counters.Increment(StreamingCounters.OutputFormatGroup, StreamingCounters.BytesWritten, output.Bytes);
    }
}
