using System.Globalization;
using Sluice.Core.ObjectStorage;

namespace Sluice.Core.Logs;

/// <summary>
/// Where copies of logs go on object storage. Under a cluster's log URI:
/// <c>LOGURI/CLUSTER/jobs/JOB/TASK/INDEX/stdout</c> for a job's instances and
/// <c>LOGURI/CLUSTER/steps/STEP/TASK/INDEX/stdout</c> for the instances of a step's job. In a task's
/// redirect folder (BatchCompute): <c>FOLDER/stdout.JOB.TASK.INDEX</c>.
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

    private static string Name(ProcessOutput stream) => stream == ProcessOutput.Stdout ? "stdout" : "stderr";
}
