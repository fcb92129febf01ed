using System.Collections.Frozen;
using System.Net;
using System.Reflection;
using System.Security.Cryptography;

namespace Sluice.Server.Console;

/// <summary>
/// The web console's files, compiled into this assembly as embedded resources (<c>Console/wwwroot</c>). Only these
/// names are ever served: a request names an entry of this table or nothing, so no path reaches the file system.
/// </summary>
internal sealed class ConsoleAssets
{
    private const string ResourcePrefix = "console/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary();

    private readonly FrozenDictionary<string, ConsoleAsset> _assets;

    /// <param name="region">The server's signing region, written into the page so that the console signs for it.</param>
    public ConsoleAssets(string region)
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        var assets = new Dictionary<string, ConsoleAsset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var name = resource[ResourcePrefix.Length..];
            var bytes = Read(assembly, resource);
            if (name == "index.html")
            {
                // The region is 1-64 characters without quotes or spaces (SluiceServerHost checks it); encoded anyway.
                bytes = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(bytes).Replace("{{region}}", WebUtility.HtmlEncode(region), StringComparison.Ordinal));
            }
            var type = ContentTypes.GetValueOrDefault(Path.GetExtension(name), "application/octet-stream");
            assets[name] = new ConsoleAsset(bytes, type, "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "\"");
        }
        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The asset called <paramref name="name"/> (such as <c>app.js</c> or <c>views/jobs.js</c>), or null.</summary>
    public ConsoleAsset? Find(string name) => _assets.GetValueOrDefault(name);

    private static byte[] Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource) ?? throw new InvalidOperationException($"resource {resource} is missing");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
