using Microsoft.Extensions.Options;
using Sluice.Contracts;
using Sluice.Core.Ports;

namespace Sluice.Core.ObjectStorage;

/// <summary>
/// Finds the object store for a URI from the configured scheme and bucket mappings. Unknown schemes
/// and buckets no mapping covers are refused with errors naming the URI and what is configured.
/// </summary>
public sealed class ObjectStoreResolver
{
    private readonly Dictionary<string, IObjectStore> _stores;
    private readonly ObjectStorageOptions _options;

    public ObjectStoreResolver(IEnumerable<IObjectStore> stores, IOptions<ObjectStorageOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _stores = stores.ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);
        _options = options.Value;
        foreach (var bucket in _options.Buckets.Keys.Where(k => !k.Contains("://", StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"object storage configuration maps bucket '{bucket}'; bucket mappings are keyed 'scheme://bucket'");
        }
        foreach (var (source, name) in _options.Schemes.Select(p => (p.Key, p.Value)).Concat(_options.Buckets.Select(p => (p.Key, p.Value))))
        {
            if (!string.IsNullOrEmpty(name) && !_stores.ContainsKey(name))
            {
                throw new InvalidOperationException(
                    $"object storage configuration maps '{source}' to store '{name}', which is not configured; configured stores: {string.Join(", ", _stores.Keys.Order(StringComparer.Ordinal))}");
            }
        }
    }

    /// <summary>Parses the URI and returns it with its store.</summary>
    public ObjectLocation Resolve(string uri) => Resolve(ObjectUri.Parse(uri));

    /// <summary>The store serving the URI.</summary>
    public ObjectLocation Resolve(ObjectUri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (_options.Buckets.TryGetValue($"{uri.Scheme}://{uri.Bucket}", out var bucketStore) && !string.IsNullOrEmpty(bucketStore))
        {
            return new ObjectLocation(_stores[bucketStore], uri);
        }
        if (_options.Schemes.TryGetValue(uri.Scheme, out var schemeStore) && !string.IsNullOrEmpty(schemeStore))
        {
            return new ObjectLocation(_stores[schemeStore], uri);
        }
        var schemeIsKnown = _options.Schemes.ContainsKey(uri.Scheme)
            || _options.Buckets.Keys.Any(k => k.StartsWith(uri.Scheme + "://", StringComparison.OrdinalIgnoreCase));
        if (schemeIsKnown)
        {
            throw new ServiceException(ErrorCodes.BucketNotMapped,
                $"object URI '{uri}': bucket '{uri.Bucket}' is mapped to no object store; map '{uri.Scheme}://{uri.Bucket}' under ObjectStorage:Buckets, or the scheme under ObjectStorage:Schemes");
        }
        throw new ServiceException(ErrorCodes.UnknownUriScheme,
            $"object URI '{uri}': scheme '{uri.Scheme}' is not configured; configured schemes: {string.Join(", ", KnownSchemes())}");
    }

    private IEnumerable<string> KnownSchemes() =>
        _options.Schemes.Keys.Concat(_options.Buckets.Keys.Select(k => k[..k.IndexOf("://", StringComparison.Ordinal)]))
            .Select(s => s.ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal);
}
