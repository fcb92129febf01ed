using Sluice.Core.Model;
using Sluice.Core.Ports;

namespace Sluice.Core.Scheduling;

// The scheduler's in-memory state for steps. Only the scheduler loop touches these objects, except
// StepRun's controller log and StepProcess's process hand-off, which are guarded by locks.

/// <summary>The steps of one cluster: waiting in submission order, running, and their processes waiting for a slot.</summary>
internal sealed class ClusterSteps
{
    public LinkedList<Step> Pending { get; } = new();
    public Dictionary<string, StepRun> Running { get; } = new(StringComparer.Ordinal);
    public LinkedList<StepProcess> Queued { get; } = new();
    /// <summary>Set when a CancelAndWait step failed: the cluster then waits instead of terminating when idle.</summary>
    public bool HoldWaiting { get; set; }

    public bool IsBusy => Pending.Count > 0 || Running.Count > 0;
}

/// <summary>Why a running step is being stopped.</summary>
internal enum StepStop { None, Cancel, ClusterTerminated, SchedulerStopping }

internal sealed class StepRun(Step step, ClusterRuntime cluster, string controllerLog, TimeProvider time)
{
    private readonly Lock _logGate = new();

    public Step Step { get; set; } = step;
    public ClusterRuntime Cluster { get; } = cluster;
    /// <summary>Cancels the step's driver (the streaming engine); its processes are killed through it.</summary>
    public CancellationTokenSource Abort { get; } = new();
    public HashSet<StepProcess> Processes { get; } = [];
    public StepStop Stop { get; set; }
    public ITimer? GraceTimer { get; set; }

    /// <summary>Appends a line to the step's controller log (what Sluice did for the step, like EMR's controller file).</summary>
    public void Log(string message)
    {
        var line = $"{time.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ} {message}\n";
        lock (_logGate)
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(controllerLog)!);
                File.AppendAllText(controllerLog, line);
            }
            catch (IOException)
            {
                // The log is for people; a full disk must not stop the step.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}

/// <summary>One process of a step (the step's program, or one streaming task attempt), queued for a node slot, then running.</summary>
internal sealed class StepProcess(StepRun run, LaunchRequest request)
{
    private readonly Lock _gate = new();
    private IRunningProcess? _process;
    private bool _killRequested;

    public StepRun Run { get; } = run;
    /// <summary>The request without node and working directory; the dispatcher fills them in.</summary>
    public LaunchRequest Request { get; } = request;
    public TaskCompletionSource<ProcessExit> Exit { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public NodeRuntime? Node { get; set; }
    public int Slot { get; set; }
    public string? WorkingDirectory { get; set; }
    public LinkedListNode<StepProcess>? QueueNode { get; set; }

    /// <summary>Records the launched process; true when a kill was asked for before it existed.</summary>
    public bool Attach(IRunningProcess process)
    {
        lock (_gate)
        {
            _process = process;
            return _killRequested;
        }
    }

    /// <summary>The process to kill now, or null when it is not launched yet (it is killed on attach).</summary>
    public IRunningProcess? RequestKill()
    {
        lock (_gate)
        {
            _killRequested = true;
            return _process;
        }
    }

    public IRunningProcess? Process
    {
        get
        {
            lock (_gate)
            {
                return _process;
            }
        }
    }
}
