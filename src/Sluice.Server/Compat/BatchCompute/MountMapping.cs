using System.Text.Json;
using Sluice.Contracts;
using static Sluice.Server.Compat.BatchCompute.BatchComputeJson;

namespace Sluice.Server.Compat.BatchCompute;

/// <summary>
/// BatchCompute's mounts and mappings as the core's mounts: an object-storage folder copied into the instance's
/// working directory before it runs, and with WriteSupport uploaded back when it ends.
/// </summary>
/// <remarks>
/// BatchCompute mounts at absolute paths of the VM (<c>/home/admin/data/</c>); a Sluice instance has no VM of its own,
/// so the path is taken relative to the instance's working directory (<c>home/admin/data/</c>): a command must use the
/// relative path. This is the documented difference.
/// </remarks>
internal static class MountMapping
{
    /// <summary>The entries of a <c>Mounts</c> object (<c>{"Entries": [{Source, Destination, WriteSupport}]}</c>).</summary>
    public static List<MountEntryConfig> Entries(JsonElement mounts, string path)
    {
        var result = new List<MountEntryConfig>();
        if (BatchComputeJson.Array(mounts, "Entries", path) is not { } entries)
        {
            return result;
        }
        var i = 0;
        foreach (var entry in entries.EnumerateArray())
        {
            var at = $"{path}.Entries[{i++}]";
            if (entry.ValueKind != JsonValueKind.Object)
            {
                throw BatchComputeErrors.Invalid($"{at} must be an object {{Source, Destination, WriteSupport}}");
            }
            result.Add(Entry(String(entry, "Source", at), String(entry, "Destination", at), Bool(entry, "WriteSupport", at) ?? false));
        }
        return result;
    }

    /// <summary>
    /// An <c>InputMapping</c> (<c>{"oss://bucket/in/": "/home/in/"}</c>: read-only), or an <c>OutputMapping</c> or
    /// <c>LogMapping</c> (<c>{"/home/out/": "oss://bucket/out/"}</c>: written back when the instance ends).
    /// </summary>
    public static IEnumerable<MountEntryConfig> Mapping(Dictionary<string, string>? mapping, bool output) =>
        (mapping ?? []).Select(pair => output ? Entry(pair.Value, pair.Key, writeSupport: true) : Entry(pair.Key, pair.Value, writeSupport: false));

    private static MountEntryConfig Entry(string? source, string? destination, bool writeSupport) => new()
    {
        Source = source,
        Destination = destination is { Length: > 1 } d && d[0] == '/' ? d.TrimStart('/') : destination,
        WriteSupport = writeSupport,
    };
}
