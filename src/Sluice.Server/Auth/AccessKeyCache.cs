using System.Collections.Concurrent;
using Sluice.Contracts;
using Sluice.Core.Model;
using Sluice.Core.Accounts;

namespace Sluice.Server.Auth;

/// <summary>
/// The access keys the signature check reads, and the SigV4 signing keys derived from them, held briefly and
/// bounded: every signed request needs its key, and keys change rarely.
/// </summary>
/// <remarks>
/// Only keys the store knows are held. Caching "no such key" would let a caller grow the cache with every made-up
/// key id it sends, and the lookup of an unknown id is one primary-key read. <see cref="Invalidate"/> drops one key
/// at once (a disabled or deleted key must stop working on this server without waiting for <see cref="Lifetime"/>).
/// </remarks>
internal sealed class AccessKeyCache(AccessKeyService keys, TimeProvider time)
{
    /// <summary>
    /// How long a key read from the store is trusted. A key disabled on this server is invalidated at once; one disabled
    /// on another server sharing the database stops working here when its entry expires, so entries live briefly.
    /// </summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    /// <summary>At most this many keys (and this many derived signing keys) are held.</summary>
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, (AccessKey Key, DateTimeOffset LoadedAt)> _keys = new(StringComparer.Ordinal);
    // A derived key changes once a day per key and region; deriving costs four HMACs.
    private readonly ConcurrentDictionary<(string KeyId, string Secret, string Date, string Region, string Service), byte[]> _signingKeys = new();

    /// <summary>How many keys are held.</summary>
    public int Count => _keys.Count;

    /// <summary>The key with this id, or null when the store has none.</summary>
    public async Task<AccessKey?> FindAsync(string keyId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_keys.TryGetValue(keyId, out var cached) && now - cached.LoadedAt < Lifetime)
        {
            return cached.Key;
        }
        var key = await keys.FindForSigningAsync(keyId, cancellationToken).ConfigureAwait(false);
        if (key is null)
        {
            _keys.TryRemove(keyId, out _);
            return null;
        }
        MakeRoom(_keys, now);
        _keys[keyId] = (key, now);
        return key;
    }

    /// <summary>The SigV4 signing key of <paramref name="key"/> for a scope date, region and service.</summary>
    public byte[] SigningKey(AccessKey key, string date, string region, string service = SigV4.Service)
    {
        if (_signingKeys.Count >= Capacity)
        {
            _signingKeys.Clear();
        }
        return _signingKeys.GetOrAdd((key.KeyId, key.Secret, date, region, service), static k => SigV4.DeriveSigningKey(k.Secret, k.Date, k.Region, k.Service));
    }

    /// <summary>Forgets a key and its signing keys: the next request with it reads the store again.</summary>
    public void Invalidate(string accessKeyId)
    {
        _keys.TryRemove(accessKeyId, out _);
        foreach (var scope in _signingKeys.Keys)
        {
            if (string.Equals(scope.KeyId, accessKeyId, StringComparison.Ordinal))
            {
                _signingKeys.TryRemove(scope, out _);
            }
        }
    }

    // Expired entries go first; if the cache is still full the rest go too (they are reloaded on use), which keeps
    // the bound without tracking use order.
    private static void MakeRoom(ConcurrentDictionary<string, (AccessKey Key, DateTimeOffset LoadedAt)> keys, DateTimeOffset now)
    {
        if (keys.Count < Capacity)
        {
            return;
        }
        foreach (var (id, entry) in keys)
        {
            if (now - entry.LoadedAt >= Lifetime)
            {
                keys.TryRemove(id, out _);
            }
        }
        if (keys.Count >= Capacity)
        {
            keys.Clear();
        }
    }
}
