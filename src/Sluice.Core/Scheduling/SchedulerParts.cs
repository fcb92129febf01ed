using Sluice.Core.Ports;
using Sluice.Core.Telemetry;

namespace Sluice.Core.Scheduling;

/// <summary>
/// The scheduler's components, for one another to reach: each is an ordinary class with the ports it uses, and the loop is
/// their only thread, so they call each other directly.
/// </summary>
internal sealed class SchedulerParts(SchedulerLoop loop, SchedulerState state, IStore store, CoreMetrics metrics)
{
    public SchedulerLoop Loop { get; } = loop;
    public SchedulerState State { get; } = state;
    public IStore Store { get; } = store;
    public CoreMetrics Metrics { get; } = metrics;
    public StateChanges Changes { get; } = new(loop, store);
    public ClusterLifecycle Clusters { get; set; } = null!;
    public NodeBootstrap Bootstrap { get; set; } = null!;
    public JobDispatch Dispatch { get; set; } = null!;
    public InstanceRunner Runner { get; set; } = null!;
    public InstanceOutcomes Outcomes { get; set; } = null!;
    public StepQueue Steps { get; set; } = null!;
    public StepExecution StepExecution { get; set; } = null!;
    public Recovery Recovery { get; set; } = null!;
    public Shutdown Shutdown { get; set; } = null!;
    public NodePreemption Preemption { get; set; } = null!;
}
