using Sluice.Core.Ports;
using Sluice.Testing.Conformance.ObjectStore;

namespace Sluice.ObjectStores.S3.Tests;

/// <summary>The log-shipping kit against a real s3rver on 127.0.0.1: chunks are PUTs, the final copy one upload, reads ranged GETs.</summary>
public sealed class S3LogShippingTests : LogShippingOnObjectStoreTests
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
