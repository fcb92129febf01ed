namespace Sluice.Client;

/// <summary>The role of an instance group in a cluster.</summary>
public enum InstanceRole
{
    /// <summary>The single coordinating node; a Master group has exactly one node.</summary>
    Master,

    /// <summary>Worker nodes that hold data and run work.</summary>
    Core,

    /// <summary>Worker nodes that only run work; may be Spot.</summary>
    Task,
}
