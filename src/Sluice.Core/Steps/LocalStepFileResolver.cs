using Sluice.Contracts;

namespace Sluice.Core.Steps;

/// <summary>Resolves absolute local paths and <c>file://</c> URIs; object URIs need the object store.</summary>
public sealed class LocalStepFileResolver : IStepFileResolver
{
    public string ToLocalPath(string uri, string field)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (uri.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            return Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.IsFile
                ? parsed.LocalPath
                : throw new ServiceException(ErrorCodes.InvalidParameter, $"{field} '{uri}' is not a valid file:// URI");
        }
        var colon = uri.IndexOf("://", StringComparison.Ordinal);
        if (colon > 0)
        {
            throw new ServiceException(ErrorCodes.InvalidParameter,
                $"{field} '{uri}': steps cannot read {uri[..colon]}:// URIs; use bos://, oss://, s3:// or s3n:// (through the object store), a local path or a file:// URI");
        }
        if (!Path.IsPathRooted(uri))
        {
            throw new ServiceException(ErrorCodes.InvalidParameter, $"{field} '{uri}' is a relative path; give an absolute path or a file:// URI (steps run on nodes in other directories)");
        }
        return Path.GetFullPath(uri);
    }

    public Task<bool> ExistsAsync(string uri, string field, CancellationToken cancellationToken)
    {
        var path = ToLocalPath(uri, field);
        if (File.Exists(path) || Directory.Exists(path))
        {
            return Task.FromResult(true);
        }
        // A glob in the last segment (in*.txt) exists when its directory has entries; the engine resolves it.
        var directory = Path.GetDirectoryName(path);
        return Task.FromResult(Path.GetFileName(path).AsSpan().IndexOfAny("*?[{") >= 0
            && directory is not null && Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any());
    }

    public Task<string> FetchAsync(string uri, string directory, string field, CancellationToken cancellationToken) =>
        Task.FromResult(ToLocalPath(uri, field));
}
