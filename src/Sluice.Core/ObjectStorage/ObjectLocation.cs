using Sluice.Core.Ports;

namespace Sluice.Core.ObjectStorage;

/// <summary>A URI together with the store that serves it.</summary>
public sealed record ObjectLocation(IObjectStore Store, ObjectUri Uri)
{
    public override string ToString() => Uri.ToString();
}
