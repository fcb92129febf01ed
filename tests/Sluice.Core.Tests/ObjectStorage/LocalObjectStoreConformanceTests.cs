using Sluice.Core.ObjectStorage;
using Sluice.Core.Ports;
using Sluice.Testing.Conformance.ObjectStore;

namespace Sluice.Core.Tests.ObjectStorage;

/// <summary>The object store conformance kit on a local directory store in a fresh temp folder.</summary>
public sealed class LocalObjectStoreConformanceTests : ObjectStoreConformanceTests, IDisposable
{
    private readonly TempFolder _root = new();

    protected override Task<IObjectStore> CreateStoreAsync() => Task.FromResult<IObjectStore>(new LocalObjectStore(_root.Path));

    public void Dispose() => _root.Dispose();
}
