using Sluice.Core.Ports;
using Sluice.Testing.Conformance.ObjectStore;

namespace Sluice.ObjectStores.S3.Tests;

/// <summary>The streaming-on-object-store kit against a real s3rver on 127.0.0.1: input splits are ranged GETs, part files PUTs.</summary>
public sealed class S3StreamingOnObjectStoreTests : StreamingOnObjectStoreTests
{
    private S3ObjectStore? _store;

    protected override Task<IObjectStore> CreateStoreAsync()
    {
        _store = new S3ObjectStore(S3rver.Options());
        return Task.FromResult<IObjectStore>(_store);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _store?.Dispose();
        }
    }
}
