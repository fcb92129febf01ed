using Sluice.Core.Ports;
using Sluice.Testing.Conformance.ObjectStore;

namespace Sluice.ObjectStores.S3.Tests;

/// <summary>The object store conformance kit against a real s3rver on 127.0.0.1, with 5 MiB parts so the large-object test goes multipart.</summary>
public sealed class S3ObjectStoreConformanceTests : ObjectStoreConformanceTests, IDisposable
{
    private S3ObjectStore? _store;

    protected override Task<IObjectStore> CreateStoreAsync()
    {
        _store = new S3ObjectStore(S3rver.Options());
        return Task.FromResult<IObjectStore>(_store);
    }

    public void Dispose() => _store?.Dispose();
}
