using Sluice.Core.Model;

namespace Sluice.Core.Clusters;

/// <summary>What every process on a node is told about the node: its bootstrap actions, and the shells and commands people run there.</summary>
public static class NodeEnvironment
{
    /// <summary>SLUICE_CLUSTER_ID, SLUICE_NODE_ID, SLUICE_NODE_ROLE and SLUICE_IS_MASTER of <paramref name="node"/>.</summary>
    public static Dictionary<string, string> Of(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["SLUICE_CLUSTER_ID"] = node.ClusterId,
            ["SLUICE_NODE_ID"] = node.Id,
            ["SLUICE_NODE_ROLE"] = node.Role.ToString(),
            ["SLUICE_IS_MASTER"] = node.Role == InstanceRole.Master ? "true" : "false",
        };
    }
}
