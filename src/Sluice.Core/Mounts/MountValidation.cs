using Sluice.Contracts;
using Sluice.Core.Model;
using Sluice.Core.ObjectStorage;

namespace Sluice.Core.Mounts;

/// <summary>Checks the <c>mounts</c> of a cluster or job request; every error names the offending entry.</summary>
internal static class MountValidation
{
    /// <summary>Mount points one cluster or job may have.</summary>
    public const int MaxEntries = 32;

    private const int MaxDestinationLength = 1024;

    /// <summary>The normalized mounts of <paramref name="mounts"/> (empty when null), or a <see cref="ServiceException"/>.</summary>
    /// <param name="objects">Resolves the sources: an unknown scheme or unmapped bucket is refused here, at submit time.</param>
    /// <param name="mounts">The request's mounts.</param>
    /// <param name="field">The request field, such as <c>mounts</c> or <c>autoCluster.mounts</c>.</param>
    public static IReadOnlyList<Mount> Validate(ObjectStoreResolver objects, MountsConfig? mounts, string field)
    {
        var entries = mounts?.Entries;
        if (entries is null || entries.Count == 0)
        {
            return [];
        }
        Validation.Range(entries.Count, $"{field}.entries count", 0, MaxEntries);
        var result = new List<Mount>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var at = $"{field}.entries[{i}]";
            var entry = entries[i] ?? throw new ServiceException(ErrorCodes.InvalidParameter, $"{at} is null");
            if (string.IsNullOrWhiteSpace(entry.Source))
            {
                throw new ServiceException(ErrorCodes.MissingParameter, $"{at}.source is required: an object-storage folder such as oss://bucket/data/");
            }
            var source = ObjectUri.Parse(Validation.ObjectUriField(objects, entry.Source, $"{at}.source", folder: null)).AsPrefix().ToString();
            var destination = Destination(entry.Destination, $"{at}.destination");
            for (var j = 0; j < result.Count; j++)
            {
                var other = result[j].Destination;
                if (other == destination)
                {
                    throw new ServiceException(ErrorCodes.DuplicateMountDestination,
                        $"{at}.destination '{destination}' is also the destination of {field}.entries[{j}]; give each mount its own destination");
                }
                if (Nests(other, destination))
                {
                    throw new ServiceException(ErrorCodes.InvalidMountDestination,
                        $"{at}.destination '{destination}' and {field}.entries[{j}].destination '{other}' lie one inside the other; mounts cannot nest");
                }
            }
            result.Add(new Mount(source, destination, entry.WriteSupport));
        }
        return result;
    }

    /// <summary>True when one destination is a folder holding the other.</summary>
    public static bool Nests(string a, string b) =>
        b.StartsWith(a + "/", StringComparison.Ordinal) || a.StartsWith(b + "/", StringComparison.Ordinal);

    /// <summary>
    /// A destination normalized to '/'-separated segments relative to the working directory: empty and '.'
    /// segments dropped; absolute paths, '..', backslashes and control characters refused, so no mount can
    /// reach outside the instance's working directory.
    /// </summary>
    private static string Destination(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ServiceException(ErrorCodes.MissingParameter, $"{field} is required: a folder relative to the instance's working directory, such as data/in");
        }
        Validation.MaxLength(value, field, MaxDestinationLength);
        if (value.StartsWith('/') || value == "~" || value.StartsWith("~/", StringComparison.Ordinal))
        {
            throw Invalid(field, value, "is absolute; give a folder relative to the instance's working directory, such as data/in");
        }
        if (value.Contains('\\', StringComparison.Ordinal) || value.Any(char.IsControl))
        {
            throw Invalid(field, value, "holds a backslash or a control character");
        }
        var segments = value.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToList();
        if (segments.Contains(".."))
        {
            throw Invalid(field, value, "has a '..' segment; a mount stays inside the instance's working directory");
        }
        if (segments.Count == 0)
        {
            throw Invalid(field, value, "names the working directory itself; give a folder inside it");
        }
        return string.Join('/', segments);
    }

    private static ServiceException Invalid(string field, string value, string why) =>
        new(ErrorCodes.InvalidMountDestination, $"{field} '{value}' {why}");
}
