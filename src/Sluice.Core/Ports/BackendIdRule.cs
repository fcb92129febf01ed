using System.Buffers;

namespace Sluice.Core.Ports;

/// <summary>
/// Which cluster and node ids a compute backend accepts, given what it names after them: every backend a
/// directory, some also something of their own (a Slurm job). Checked before anything is created.
/// </summary>
public sealed class BackendIdRule
{
    private readonly SearchValues<char> _forbidden;
    private readonly string _namedThing;

    /// <summary>Creates a rule.</summary>
    /// <param name="alsoForbidden">Characters refused besides the ones a directory name cannot hold (<c>/</c> and NUL).</param>
    /// <param name="namedThing">What the backend names after an id, for the message: "a directory or a Slurm job".</param>
    public BackendIdRule(string alsoForbidden, string namedThing)
    {
        ArgumentNullException.ThrowIfNull(alsoForbidden);
        _forbidden = SearchValues.Create("/\0" + alsoForbidden);
        _namedThing = namedThing;
    }

    /// <summary>Ids that name a directory: not blank, not <c>.</c> or <c>..</c>, no <c>/</c> or NUL.</summary>
    public static BackendIdRule Directory { get; } = new("", "a directory");

    /// <summary>True when <paramref name="id"/> is one the backend can use.</summary>
    public bool Allows(string id) =>
        !string.IsNullOrWhiteSpace(id) && id is not ("." or "..") && !id.AsSpan().ContainsAny(_forbidden);

    /// <summary>Throws a <see cref="BackendException"/> naming the id when the backend cannot use it.</summary>
    /// <param name="id">The id.</param>
    /// <param name="what">What the id is, for the message: "cluster id", "node id".</param>
    public void Check(string id, string what)
    {
        if (!Allows(id))
        {
            throw new BackendException($"The {what} '{id}' cannot name {_namedThing}; use letters, digits, '-' or '_'.");
        }
    }

    /// <summary>
    /// Checks what every backend checks of a provision request before it creates anything: the cluster id and
    /// node ids, node ids unique, at least 1 vCPU and no negative memory per node.
    /// </summary>
    /// <exception cref="BackendException">The first problem found, in the order of the request.</exception>
    public void CheckProvision(ProvisionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Check(request.ClusterId, "cluster id");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in request.Nodes)
        {
            Check(spec.NodeId, "node id");
            if (!seen.Add(spec.NodeId))
            {
                throw new BackendException($"Node id '{spec.NodeId}' appears twice in the request; node ids must be unique within a cluster.");
            }
            if (spec.Vcpus < 1)
            {
                throw new BackendException($"Node '{spec.NodeId}' asks for {spec.Vcpus} vCPUs; a node needs at least 1.");
            }
            if (spec.MemoryMiB < 0)
            {
                throw new BackendException($"Node '{spec.NodeId}' asks for {spec.MemoryMiB} MiB of memory; it cannot be negative.");
            }
        }
    }
}
