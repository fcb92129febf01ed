using Sluice.Core.ObjectStorage;
using Sluice.Core.Ports;
using Sluice.Core.Tests.ObjectStorage;
using Sluice.Testing.Conformance.ObjectStore;

namespace Sluice.Core.Tests.Logs;

/// <summary>The log-shipping kit on a local directory store in a fresh temp folder.</summary>
public sealed class LocalLogShippingTests : LogShippingOnObjectStoreTests
{
    private readonly TempFolder _root = new();

    protected override Task<IObjectStore> CreateStoreAsync() => Task.FromResult<IObjectStore>(new LocalObjectStore(_root.Path));

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _root.Dispose();
        }
    }
}
