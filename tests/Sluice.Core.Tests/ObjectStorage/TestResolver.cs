using Microsoft.Extensions.Options;
using Sluice.Core.ObjectStorage;

namespace Sluice.Core.Tests.ObjectStorage;

/// <summary>A resolver with the default mappings over a local store in a temp folder that lives for the test run.</summary>
internal static class TestResolver
{
    private static readonly Lazy<ObjectStoreResolver> Shared = new(() =>
        new ObjectStoreResolver([new LocalObjectStore(Directory.CreateTempSubdirectory("sluice-resolver-").FullName)], Options.Create(new ObjectStorageOptions())));

    public static ObjectStoreResolver Default => Shared.Value;
}
