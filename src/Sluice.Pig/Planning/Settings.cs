using Sluice.Pig.Syntax;

namespace Sluice.Pig.Planning;

/// <summary>SET statements: the ones that change no result are accepted; any other fails naming it.</summary>
internal static class Settings
{
    private static readonly string[] Harmless =
    [
        "default_parallel", "job.name", "job.priority", "debug", "stream.skippath", "pig.tmpfilecompression", "pig.tmpfilecompression.codec",
        "mapred.job.queue.name", "mapreduce.job.queuename", "mapred.reduce.tasks", "mapreduce.job.reduces", "mapred.child.java.opts", "mapreduce.map.memory.mb", "mapreduce.reduce.memory.mb",
        "pig.exec.reducers.bytes.per.reducer", "pig.exec.reducers.max", "io.sort.mb", "mapreduce.task.io.sort.mb", "pig.splitCombination", "pig.maxCombinedSplitSize",
    ];

    public static void Check(SetStatement set)
    {
        if (!Harmless.Contains(set.Key, StringComparer.OrdinalIgnoreCase))
        {
            throw PigException.Unsupported($"SET {set.Key}", set.At);
        }
    }
}
