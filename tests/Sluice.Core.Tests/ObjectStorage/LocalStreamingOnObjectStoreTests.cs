using Sluice.Core.ObjectStorage;
using Sluice.Core.Ports;
using Sluice.Testing.Conformance.ObjectStore;

namespace Sluice.Core.Tests.ObjectStorage;

/// <summary>The streaming-on-object-store kit on a local directory store in a fresh temp folder.</summary>
public sealed class LocalStreamingOnObjectStoreTests : StreamingOnObjectStoreTests
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
