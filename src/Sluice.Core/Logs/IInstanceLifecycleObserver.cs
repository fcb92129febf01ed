namespace Sluice.Core.Logs;

/// <summary>
/// Told by the scheduler when an instance attempt or a step starts and ends. Called off the scheduler
/// loop; an implementation must return at once (queue the work), never block.
/// </summary>
public interface IInstanceLifecycleObserver
{
    void InstanceStarted(InstanceLogInfo instance);

    /// <summary>The attempt's process has ended (any way: exit, failure, timeout, stop); its log files are final.</summary>
    void InstanceEnded(InstanceLogInfo instance);

    void StepStarted(StepLogInfo step);

    /// <summary>The step has ended (Completed, Failed, Cancelled, Interrupted) and written its last controller line.</summary>
    void StepEnded(StepLogInfo step);
}
