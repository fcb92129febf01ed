using System.Runtime.CompilerServices;
using Sluice.Streaming;

namespace Sluice.Pig.Io;

/// <summary>
/// The object store a Pig step's process sees on a node: the copies the server staged under a folder, one per URI the
/// script names (<c>ROOT/scheme/bucket/key</c>), and the same folder for what it writes, which the server uploads after a
/// successful run. The process holds no credentials; a URI the server did not stage reads as missing.
/// </summary>
public sealed class StagedObjectStore(string root) : IStreamingStore
{
    /// <summary>The environment variable that names the folder (set by the server for a Pig step).</summary>
    public const string Variable = "SLUICE_PIG_OBJECTS";

    private readonly string _root = Path.GetFullPath(root);

    /// <summary>The local path of an object URI under <paramref name="root"/>; the layout the server stages into.</summary>
    public static string LocalPath(string root, string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var colon = uri.IndexOf("://", StringComparison.Ordinal);
        var rest = uri[(colon + 3)..].TrimEnd('/');
        if (colon <= 0 || rest.Split('/').Any(part => part is ".." or "." or ""))
        {
            throw new PigException($"'{uri}' is not an object URI Sluice can stage (scheme://bucket/key, without . or .. segments)");
        }
        return Path.Combine(Path.GetFullPath(root), uri[..colon].ToLowerInvariant(), rest);
    }

    /// <inheritdoc />
    public bool Handles(string uri) => uri.Contains("://", StringComparison.Ordinal) && !uri.StartsWith("file://", StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public Task<StreamingObject?> HeadAsync(string uri, CancellationToken cancellationToken)
    {
        var local = LocalPath(_root, uri);
        return Task.FromResult(File.Exists(local) ? new StreamingObject(uri, Path.GetFileName(local), new FileInfo(local).Length) : null);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StreamingObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var folder = LocalPath(_root, prefix);
        if (!Directory.Exists(folder))
        {
            yield break;
        }
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
        foreach (var relative in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new StreamingObject(prefix.TrimEnd('/') + "/" + relative, relative, new FileInfo(Path.Combine(folder, relative)).Length);
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(string uri, long offset, CancellationToken cancellationToken)
    {
        var stream = new FileStream(LocalPath(_root, uri), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        stream.Seek(offset, SeekOrigin.Begin);
        return Task.FromResult<Stream>(stream);
    }

    /// <inheritdoc />
    public async Task PutAsync(string uri, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var local = LocalPath(_root, uri);
        Directory.CreateDirectory(Path.GetDirectoryName(local)!);
        var file = new FileStream(local, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            await content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public Task DeleteAsync(string uri, CancellationToken cancellationToken)
    {
        File.Delete(LocalPath(_root, uri));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<string> FetchFileAsync(string uri, CancellationToken cancellationToken)
    {
        var local = LocalPath(_root, uri);
        return File.Exists(local) ? Task.FromResult(local) : throw new PigException($"'{uri}' was not staged for this step");
    }

    /// <inheritdoc />
    public Task<string> FetchArchiveAsync(string uri, CancellationToken cancellationToken) =>
        throw new PigException($"'{uri}': archives are not staged for Pig steps");
}
