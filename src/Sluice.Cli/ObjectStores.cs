using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Sluice.Core;
using Sluice.Core.ObjectStorage;
using Sluice.Core.Packages;
using Sluice.Server.Hosting;
using Sluice.Streaming;

namespace Sluice.Cli;

/// <summary>
/// The object stores a command reaches directly, configured like the server: the local store under the data
/// directory's objects/ folder, S3 stores and mappings from SLUICE_ObjectStorage__* and SLUICE_S3Stores__*.
/// </summary>
internal static class ObjectStores
{
    /// <param name="dataDirectory">The data directory.</param>
    /// <param name="localRoot">The local store's folder; default null: the data directory's objects/ (SLUICE_ObjectStorage__LocalRoot overrides either, as on the server).</param>
    public static ObjectStoreResolver Resolver(string dataDirectory, string? localRoot = null)
    {
        var options = new SluiceServerOptions { DataDirectory = Path.GetFullPath(dataDirectory) };
        options.ObjectStorage.LocalRoot = localRoot;
        SluiceServerHost.BindObjectStorage(new ConfigurationBuilder().AddEnvironmentVariables("SLUICE_").Build(), options);
        return SluiceServerHost.CreateObjectStoreResolver(options);
    }

    /// <summary>For <c>sluice streaming</c>: object URIs resolved as above; files and archives cached under the data directory's packages/.</summary>
    public static IStreamingStore StreamingStore(string dataDirectory)
    {
        var resolver = Resolver(dataDirectory);
        var packages = new PackageCache(resolver, Options.Create(new SluiceOptions { DataDirectory = Path.GetFullPath(dataDirectory) }));
        return new ObjectStreamingStore(resolver, packages);
    }
}
