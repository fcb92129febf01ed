using System.Runtime.CompilerServices;
using Sluice.Contracts;
using Sluice.Core.Packages;
using Sluice.Streaming;

namespace Sluice.Core.ObjectStorage;

/// <summary>
/// The streaming engine's view of the configured object stores: inputs, outputs, <c>-files</c> and <c>-archives</c>
/// given as <c>bos://</c>, <c>oss://</c>, <c>s3://</c>, <c>s3n://</c> or <c>file://bucket/</c> URIs. Files and archives
/// go through the node's <see cref="PackageCache"/> (fetched once per content). A host path written as
/// <c>file:///abs/path</c> stays a local path, as in Hadoop.
/// </summary>
/// <remarks>
/// Store errors become <see cref="StreamingStoreException"/>s (the job fails naming the URI); a URI that cannot be
/// resolved at all (bad URI, unknown scheme, unmapped bucket) is a <see cref="StreamingUsageException"/>.
/// </remarks>
public sealed class ObjectStreamingStore(ObjectStoreResolver objects, PackageCache packages) : IStreamingStore
{
    public bool Handles(string uri) => ObjectUri.IsUri(uri) && !uri.StartsWith("file:///", StringComparison.OrdinalIgnoreCase);

    public async Task<StreamingObject?> HeadAsync(string uri, CancellationToken cancellationToken)
    {
        var location = Resolve(uri);
        if (location.Uri.IsPrefix)
        {
            return null;
        }
        var info = await Call(() => location.Store.HeadAsync(location.Uri, cancellationToken)).ConfigureAwait(false);
        return info is null ? null : new StreamingObject(location.Uri.ToString(), location.Uri.Name, info.Size);
    }

    public async IAsyncEnumerable<StreamingObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var location = Resolve(prefix);
        var folder = location.Uri.AsPrefix();
        var objects = ObjectTransfer.ListAllAsync(location, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (objects.ConfigureAwait(false))
        {
            while (await Call(async () => await objects.MoveNextAsync().ConfigureAwait(false)).ConfigureAwait(false))
            {
                var info = objects.Current;
                yield return new StreamingObject(folder.WithKey(info.Key).ToString(), info.Key[folder.Key.Length..], info.Size);
            }
        }
    }

    public Task<Stream> OpenReadAsync(string uri, long offset, CancellationToken cancellationToken)
    {
        var location = Resolve(uri);
        return Call(() => location.Store.OpenReadAsync(location.Uri, offset, null, cancellationToken));
    }

    public Task PutAsync(string uri, Stream content, CancellationToken cancellationToken)
    {
        var location = Resolve(uri);
        return Call(() => location.Store.PutAsync(location.Uri, content, cancellationToken));
    }

    public Task DeleteAsync(string uri, CancellationToken cancellationToken)
    {
        var location = Resolve(uri);
        return Call(async () =>
        {
            await location.Store.DeleteAsync(location.Uri, cancellationToken).ConfigureAwait(false);
            return true;
        });
    }

    public Task<string> FetchFileAsync(string uri, CancellationToken cancellationToken) =>
        Call(() => packages.GetFileAsync(Resolve(uri).Uri.ToString(), cancellationToken));

    public Task<string> FetchArchiveAsync(string uri, CancellationToken cancellationToken) =>
        Call(() => packages.GetAsync(Resolve(uri).Uri.ToString(), cancellationToken));

    private ObjectLocation Resolve(string uri)
    {
        try
        {
            return objects.Resolve(uri);
        }
        catch (ServiceException e)
        {
            throw new StreamingUsageException($"{e.Code}: {e.Message}", e);
        }
    }

    private static async Task<T> Call<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (ServiceException e)
        {
            throw new StreamingStoreException($"{e.Code}: {e.Message}", e) { Code = e.Code };
        }
    }
}
