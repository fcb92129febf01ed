using Sluice.Core.Model;
using Sluice.Core.Ports;

namespace Sluice.Core.Scheduling;

// The scheduler's in-memory state. Only the scheduler loop reads or writes these objects, except
// InstanceRun's process hand-off, which is guarded by a lock.

internal sealed class ClusterRuntime(Cluster cluster, IComputeBackend backend)
{
    public Cluster Cluster { get; set; } = cluster;
    public IComputeBackend Backend { get; } = backend;
    public List<NodeRuntime> Nodes { get; } = [];
    public SortedSet<JobRuntime> Jobs { get; } = new(JobRuntime.ByPriority);
    public int RunningInstances { get; set; }
    public int BootstrapsInFlight { get; set; }
    public bool ProvisionInFlight { get; set; }
    public bool Terminating { get; set; }
    public bool Released { get; set; }
    /// <summary>Another server owns the cluster now: its callbacks here change nothing and write nothing.</summary>
    public bool Abandoned { get; set; }
    public StateReason? TerminateReason { get; set; }
    /// <summary>The first bootstrap failure; the cluster terminates with it once everything in flight ends.</summary>
    public StateReason? BootstrapFailure { get; set; }
    public HashSet<IRunningProcess> BootstrapProcesses { get; } = [];
    /// <summary>Fires the idle timeout while the cluster waits with no work; null when no timeout runs.</summary>
    public ITimer? IdleTimer { get; set; }

    public bool IsReady => Cluster.State is ClusterState.Running or ClusterState.Waiting;

    /// <summary>Core and Task nodes run work; a cluster with only a Master runs it there.</summary>
    public IEnumerable<NodeRuntime> WorkNodes
    {
        get
        {
            var workers = Nodes.Where(n => n.Node.Role != InstanceRole.Master && n.TakesWork);
            return Nodes.Any(n => n.Node.Role != InstanceRole.Master && n.Node.State is not (NodeState.Terminated or NodeState.Preempted))
                ? workers
                : Nodes.Where(n => n.TakesWork);
        }
    }
}

internal sealed class NodeRuntime(Node node)
{
    public Node Node { get; set; } = node;
    public int FreeCpu { get; set; } = node.Vcpus;
    /// <summary>Working-directory slots not in use; an instance takes one and empties it when it ends.</summary>
    public Stack<int> FreeSlots { get; } = new(Enumerable.Range(0, Math.Max(1, node.Vcpus)).Reverse());
    public long FreeMemoryMiB { get; set; } = node.MemoryMiB;
    public int Running { get; set; }
    /// <summary>Set by a shrinking resize: takes no new work and is released when its work ends.</summary>
    public bool Draining { get; set; }
    /// <summary>Set by a Spot preemption's notice: takes no new work and is taken when its work ends or the notice runs out.</summary>
    public ITimer? PreemptionNotice { get; set; }

    /// <summary>Up and neither leaving (a resize) nor being preempted.</summary>
    public bool TakesWork => Node.State is NodeState.Idle or NodeState.Busy && !Draining && PreemptionNotice is null;

    public bool Fits(int cpu, long memoryMiB) => TakesWork && FreeCpu >= cpu && FreeMemoryMiB >= memoryMiB && FreeSlots.Count > 0;

    /// <summary>Takes the resources of one process; returns its working-directory slot (<paramref name="slot"/> when it is free: an adopted process keeps its own).</summary>
    public int Take(int cpu, long memoryMiB, int? slot = null)
    {
        FreeCpu -= cpu;
        FreeMemoryMiB -= memoryMiB;
        Running++;
        if (slot is { } wanted && FreeSlots.Contains(wanted))
        {
            var others = FreeSlots.Where(s => s != wanted).Reverse().ToList();
            FreeSlots.Clear();
            others.ForEach(FreeSlots.Push);
            return wanted;
        }
        return FreeSlots.Pop();
    }

    /// <summary>Gives back what <see cref="Take"/> took.</summary>
    public void Give(int slot, int cpu, long memoryMiB)
    {
        FreeSlots.Push(slot);
        FreeCpu += cpu;
        FreeMemoryMiB += memoryMiB;
        Running--;
    }
}

internal sealed class JobRuntime(Job job, long sequence)
{
    public static readonly IComparer<JobRuntime> ByPriority = Comparer<JobRuntime>.Create((a, b) =>
    {
        var byPriority = b.Job.Priority.CompareTo(a.Job.Priority);
        return byPriority != 0 ? byPriority : a.Sequence.CompareTo(b.Sequence);
    });

    public Job Job { get; set; } = job;
    public long Sequence { get; } = sequence;
    public Dictionary<string, TaskRuntime> Tasks { get; } = new(StringComparer.Ordinal);
    /// <summary>Tasks whose predecessors are done and that have instances left to launch, in readiness order.</summary>
    public LinkedList<TaskRuntime> Ready { get; } = new();
    public int RunningInstances { get; set; }
    /// <summary>Why the job is ending early (a failed instance, a stop, its cluster ending); null while it runs normally.</summary>
    public (RunState State, StateReason Reason)? Ending { get; set; }
    public StateReason? FirstFailure { get; set; }
    public ClusterRuntime? Cluster { get; set; }
}

internal sealed class TaskRuntime(JobTask task, int predecessors)
{
    public JobTask Task { get; set; } = task;
    public int RemainingPredecessors { get; set; } = predecessors;
    /// <summary>The next index never launched; indexes below it were launched at least once.</summary>
    public int NextFresh { get; set; }
    // Created on first use: a job of 100,000 tasks keeps one TaskRuntime each, and most never retry.
    private Queue<int>? _retry;
    private Dictionary<int, int>? _attempts;
    private Dictionary<int, int>? _preemptions;
    private Dictionary<int, InstanceRun>? _runs;

    public Queue<int> Retry => _retry ??= new();
    /// <summary>Attempts made, for indexes that have more than their first attempt or were recovered.</summary>
    public Dictionary<int, int> Attempts => _attempts ??= [];
    public Dictionary<int, InstanceRun> Runs => _runs ??= [];
    /// <summary>Attempts cut short by a preemption, for indexes that had one: they do not count against the retries.</summary>
    public Dictionary<int, int> Preemptions => _preemptions ??= [];
    public int RunningCount => _runs?.Count ?? 0;
    public int RetryCount => _retry?.Count ?? 0;
    public int Finished { get; set; }
    public int Failed { get; set; }
    public int Stopped { get; set; }
    public LinkedListNode<TaskRuntime>? ReadyNode { get; set; }

    public int Pending => Task.InstanceCount - NextFresh + RetryCount;
    public bool IsEnded => Task.State is RunState.Finished or RunState.Failed or RunState.Stopped;

    public int TakeNextIndex() => RetryCount > 0 ? _retry!.Dequeue() : NextFresh++;

    public int AttemptsOf(int index) => _attempts is not null && _attempts.TryGetValue(index, out var attempts) ? attempts : 0;

    public int PreemptionsOf(int index) => _preemptions is not null && _preemptions.TryGetValue(index, out var preemptions) ? preemptions : 0;

    /// <summary>Whether an attempt that failed may run again: preempted attempts are not counted (Azure Batch's rule).</summary>
    public bool MayRetry(int index, int attempt) => attempt - PreemptionsOf(index) <= Task.MaxRetryCount;
}

internal enum StopKind { None, JobStopped, JobFailed, ClusterTerminated, SchedulerStopping, Preempted }

internal sealed class InstanceRun(JobRuntime job, TaskRuntime task, int index, int attempt, NodeRuntime node, ClusterRuntime cluster)
{
    private readonly Lock _gate = new();
    private IRunningProcess? _process;
    private bool _killRequested;

    public JobRuntime Job { get; } = job;
    public TaskRuntime Task { get; } = task;
    public int Index { get; } = index;
    public int Attempt { get; } = attempt;
    public NodeRuntime Node { get; } = node;
    public ClusterRuntime Cluster { get; } = cluster;
    public StopKind StopKind { get; private set; }
    public string? WorkingDirectory { get; set; }
    public int Slot { get; set; }
    /// <summary>Why the attempt never launched: <c>PackageUnavailable</c> or <c>MountUnavailable</c>; null when it launched or failed otherwise.</summary>
    public string? PreparationFailure { get; set; }
    /// <summary>The mounts this attempt gets (the job's over the cluster's).</summary>
    public IReadOnlyList<Mount> Mounts { get; init; } = [];
    /// <summary>Why writing back the writable mounts failed, when it did.</summary>
    public string? WriteBackFailure { get; set; }

    /// <summary>The instance row of this attempt, Running on its node; outcomes change what they decide.</summary>
    public TaskInstance Row(DateTimeOffset startedAt) => new()
    {
        JobId = Job.Job.Id,
        AccountId = Job.Job.AccountId,
        TaskName = Task.Task.Name,
        Index = Index,
        State = RunState.Running,
        Attempts = Attempt,
        Preemptions = Task.PreemptionsOf(Index),
        NodeId = Node.Node.Id,
        Host = Node.Node.Host,
        StartedAt = startedAt,
    };

    /// <summary>Records the launched process; returns true when a kill was asked for before it existed.</summary>
    public bool Attach(IRunningProcess process)
    {
        lock (_gate)
        {
            _process = process;
            return _killRequested;
        }
    }

    /// <summary>Asks for the run to end and kills its process when it is launched (else it is killed on attach).</summary>
    public void Kill(StopKind kind)
    {
        if (RequestStop(kind) is { } process)
        {
            _ = process.KillAsync(CancellationToken.None);
        }
    }

    /// <summary>Asks for the run to end; the first reason wins. Returns the process to kill, if launched.</summary>
    public IRunningProcess? RequestStop(StopKind kind)
    {
        lock (_gate)
        {
            if (StopKind == StopKind.None)
            {
                StopKind = kind;
            }
            _killRequested = true;
            return _process;
        }
    }
}
