using Sluice.Contracts;
using Sluice.Core.ObjectStorage;

namespace Sluice.Core.Steps;

/// <summary>
/// Resolves a step's <c>bos://</c>, <c>oss://</c>, <c>s3://</c> and <c>s3n://</c> URIs through the configured
/// object stores, and everything else (local paths, <c>file://</c>) as <see cref="LocalStepFileResolver"/> does:
/// for steps <c>file://</c> keeps meaning a host path, as it did before object stores existed.
/// </summary>
public sealed class ObjectStepFileResolver(ObjectStoreResolver objects, LocalStepFileResolver local) : IStepFileResolver
{
    private static readonly string[] Schemes = ["bos", "oss", "s3", "s3n"];

    public string ToLocalPath(string uri, string field) =>
        Object(uri, field) is { } location ? location.Uri.ToString() : local.ToLocalPath(uri, field);

    public async Task<bool> ExistsAsync(string uri, string field, CancellationToken cancellationToken)
    {
        if (Object(uri, field) is not { } location)
        {
            return await local.ExistsAsync(uri, field, cancellationToken).ConfigureAwait(false);
        }
        if (!location.Uri.IsPrefix && await location.Store.HeadAsync(location.Uri, cancellationToken).ConfigureAwait(false) is not null)
        {
            return true;
        }
        // A folder of part files (an earlier job's output) exists when anything is under it.
        var listing = await location.Store.ListAsync(location.Uri.AsPrefix(), null, null, 1, cancellationToken).ConfigureAwait(false);
        return listing.Objects.Count > 0;
    }

    public async Task<string> FetchAsync(string uri, string directory, string field, CancellationToken cancellationToken)
    {
        if (Object(uri, field) is not { } location)
        {
            return await local.FetchAsync(uri, directory, field, cancellationToken).ConfigureAwait(false);
        }
        if (location.Uri.IsPrefix)
        {
            throw new ServiceException(ErrorCodes.InvalidParameter, $"{field} '{uri}' names a folder; give the URI of a file");
        }
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, location.Uri.Name);
        await ObjectTransfer.DownloadAsync(location, path, cancellationToken).ConfigureAwait(false);
        return path;
    }

    /// <summary>True for a <c>bos://</c>, <c>oss://</c>, <c>s3://</c> or <c>s3n://</c> URI (what this resolver serves from object stores).</summary>
    public static bool IsObjectUri(string? uri)
    {
        var colon = uri?.IndexOf("://", StringComparison.Ordinal) ?? -1;
        return colon > 0 && Schemes.Contains(uri![..colon].ToLowerInvariant(), StringComparer.Ordinal);
    }

    /// <summary>The object location of an object URI (its store resolved, errors naming <paramref name="field"/>), or null for a local path or file://.</summary>
    private ObjectLocation? Object(string uri, string field)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!IsObjectUri(uri))
        {
            return null;
        }
        try
        {
            return objects.Resolve(uri);
        }
        catch (ServiceException e)
        {
            throw new ServiceException(e.Code, $"{field}: {e.Message}");
        }
    }
}
