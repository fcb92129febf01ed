using Sluice.Core.ObjectStorage;

namespace Sluice.Core.Logs;

/// <summary>One local log file of an account and every object it is copied to; what <see cref="LogShipper"/> ships, for instances and steps alike.</summary>
internal sealed record ShippedLogFile(string AccountId, string Path, IReadOnlyList<ObjectUri> Destinations)
{
    public static IReadOnlyList<ShippedLogFile> Of(InstanceLogInfo instance) =>
    [
        new(instance.AccountId, instance.StdoutPath, LogUriLayout.Destinations(instance, ProcessOutput.Stdout)),
        new(instance.AccountId, instance.StderrPath, LogUriLayout.Destinations(instance, ProcessOutput.Stderr)),
    ];

    /// <summary>A step's three logs under <c>LOGURI/CLUSTER/steps/STEP/</c>; none when the cluster has no log URI.</summary>
    public static IReadOnlyList<ShippedLogFile> Of(StepLogInfo step)
    {
        if (step.LogUri is null)
        {
            return [];
        }
        var folder = LogUriLayout.Step(ObjectUri.Parse(step.LogUri), step.ClusterId, step.StepId);
        return
        [
            new(step.AccountId, step.ControllerPath, [folder.Append("controller")]),
            new(step.AccountId, step.StdoutPath, [folder.Append("stdout")]),
            new(step.AccountId, step.StderrPath, [folder.Append("stderr")]),
        ];
    }
}
