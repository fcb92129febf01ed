namespace Sluice.Core.Model;

// The state vocabularies of DESIGN.md, one enum each; stored and sent by name.

public enum ClusterState { Starting, Bootstrapping, Running, Waiting, Terminating, Terminated, TerminatedWithErrors }

public enum NodeState { Provisioning, Bootstrapping, Idle, Busy, Unusable, Preempted, Terminated }

public enum InstanceRole { Master, Core, Task }

public enum Market { OnDemand, Spot }

public enum BootstrapTarget { All, Master, Workers }

/// <summary>Job, task and instance states (BatchCompute's).</summary>
public enum RunState { Waiting, Running, Finished, Failed, Stopped }

public enum ResourceKind { Cluster, Node, Job, Task, Instance, Step }

/// <summary>Step states (EMR's).</summary>
public enum StepState { Pending, Running, Completed, CancelPending, Cancelled, Failed, Interrupted }

public enum StepType { Java, Streaming, Hive, Pig, Spark, Command }

public enum ActionOnFailure { Continue, CancelAndWait, TerminateCluster }
