namespace Sluice.Client;

/// <summary>What the cluster does when a step fails (EMR's ActionOnFailure).</summary>
public enum StepActionOnFailure
{
    /// <summary>Go on with the next step. The default.</summary>
    Continue,
    /// <summary>Cancel the pending steps; the cluster waits. Only with a step concurrency level of 1.</summary>
    CancelAndWait,
    /// <summary>Cancel the pending steps and terminate the cluster (TerminatedWithErrors, reason StepFailure). Only with a step concurrency level of 1.</summary>
    TerminateCluster,
}
