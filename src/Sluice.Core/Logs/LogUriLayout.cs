using System.Globalization;
using Sluice.Core.ObjectStorage;

namespace Sluice.Core.Logs;

/// <summary>
/// Where copies of logs go on object storage. Under a cluster's log URI:
/// <c>LOGURI/CLUSTER/jobs/JOB/TASK/INDEX/stdout</c> for a job's instances and
/// <c>LOGURI/CLUSTER/steps/STEP/TASK/INDEX/stdout</c> for the instances of a step's job. In a task's
/// redirect folder (BatchCompute): <c>FOLDER/stdout.JOB.TASK.INDEX</c>. While the log grows, its copy is a
/// series of chunk objects beside it, <c>LOG.chunks/OFFSET</c> (<see cref="Chunk"/>); once it ended, one object.
/// </summary>
public static class LogUriLayout
{
    /// <summary>The copy of one instance log under the cluster's log URI; <paramref name="stepId"/> set puts it under the step.</summary>
    public static ObjectUri Instance(ObjectUri logUri, string clusterId, string jobId, string taskName, int index, ProcessOutput stream, string? stepId = null)
    {
        ArgumentNullException.ThrowIfNull(logUri);
        var owner = stepId is null ? $"jobs/{jobId}" : $"steps/{stepId}";
        return logUri.Append(string.Create(CultureInfo.InvariantCulture, $"{clusterId}/{owner}/{taskName}/{index}/{Name(stream)}"));
    }

    /// <summary>The folder of a step's logs: <c>LOGURI/CLUSTER/steps/STEP/</c>.</summary>
    public static ObjectUri Step(ObjectUri logUri, string clusterId, string stepId)
    {
        ArgumentNullException.ThrowIfNull(logUri);
        return logUri.Append($"{clusterId}/steps/{stepId}/");
    }

    /// <summary>The copy of one instance log in a task's redirect folder.</summary>
    public static ObjectUri Redirect(ObjectUri folder, string jobId, string taskName, int index, ProcessOutput stream)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return folder.Append(string.Create(CultureInfo.InvariantCulture, $"{Name(stream)}.{jobId}.{taskName}.{index}"));
    }

    /// <summary>Every copy of an instance's log of the given stream.</summary>
    public static IReadOnlyList<ObjectUri> Destinations(InstanceLogInfo instance, ProcessOutput stream)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var destinations = new List<ObjectUri>(2);
        if (instance.LogUri is { } logUri)
        {
            destinations.Add(Instance(ObjectUri.Parse(logUri), instance.ClusterId, instance.JobId, instance.TaskName, instance.Index, stream, instance.StepId));
        }
        var redirect = stream == ProcessOutput.Stdout ? instance.StdoutRedirectPath : instance.StderrRedirectPath;
        if (redirect is not null)
        {
            destinations.Add(Redirect(ObjectUri.Parse(redirect), instance.JobId, instance.TaskName, instance.Index, stream));
        }
        return destinations;
    }

    /// <summary>The folder of a growing log's chunks: <c>LOG.chunks/</c> (beside the log: a local store cannot hold an object <c>a</c> and <c>a/b</c>).</summary>
    public static ObjectUri Chunks(ObjectUri log)
    {
        ArgumentNullException.ThrowIfNull(log);
        return log.WithKey(log.Key + ".chunks/");
    }

    /// <summary>
    /// The chunk holding the log's bytes from <paramref name="offset"/>: named by its offset, 16 digits, so key order is
    /// log order and a reader finds where each chunk starts without opening it.
    /// </summary>
    public static ObjectUri Chunk(ObjectUri log, long offset) => Chunks(log).Append(offset.ToString("D16", CultureInfo.InvariantCulture));

    /// <summary>The offset a chunk's key names, or null for a key that is no chunk.</summary>
    internal static long? ChunkOffset(string key)
    {
        var name = key[(key.LastIndexOf('/') + 1)..];
        return name.Length == 16 && name.All(char.IsAsciiDigit) ? long.Parse(name, CultureInfo.InvariantCulture) : null;
    }

    private static string Name(ProcessOutput stream) => stream == ProcessOutput.Stdout ? "stdout" : "stderr";
}
