namespace Sluice.Backends.Local;

/// <summary>A provisioned node: its directory, the account its cluster belongs to (when known) and the processes running on it.</summary>
internal sealed class LocalNode(string clusterId, string nodeId, string directory, string? accountId)
{
    /// <summary>The environment entry every process launched on this node carries.</summary>
    public const string MarkerVariable = "SLUICE_LOCAL_NODE";

    private readonly Lock _gate = new();
    private readonly HashSet<LocalProcess> _running = [];
    private bool _released;

    public string ClusterId { get; } = clusterId;

    public string NodeId { get; } = nodeId;

    public string Directory { get; } = directory;

    public string? AccountId { get; } = accountId;

    /// <summary>Marks processes of this node, including ones a previous server run left behind.</summary>
    public string Marker { get; } = $"{MarkerVariable}={directory}";

    public bool IsReleased
    {
        get
        {
            lock (_gate)
            {
                return _released;
            }
        }
    }

    /// <summary>Tracks a started process; false when the node was released meanwhile.</summary>
    public bool TryAdd(LocalProcess process)
    {
        lock (_gate)
        {
            if (_released)
            {
                return false;
            }
            _running.Add(process);
            return true;
        }
    }

    public void Remove(LocalProcess process)
    {
        lock (_gate)
        {
            _running.Remove(process);
        }
    }

    /// <summary>Refuses further launches and returns what is still running.</summary>
    public List<LocalProcess> Release()
    {
        lock (_gate)
        {
            _released = true;
            return [.. _running];
        }
    }
}
