using System.Security.Cryptography;
using System.Text;

namespace Sluice.Core.Accounts;

/// <summary>
/// Seals access-key secrets for the store with AES-256-GCM under the server's secrets key, which is kept outside the
/// database: a copy of the database alone does not give anyone a key to sign with.
/// </summary>
/// <remarks>
/// A sealed secret reads <c>aesgcm1:&lt;fingerprint&gt;:&lt;base64 of nonce, ciphertext, tag&gt;</c>. The key id is the
/// associated data, so a sealed secret copied onto another key's row does not open. The fingerprint (an HMAC of a
/// constant under the key) names the key that sealed it without revealing it, so a server with another key can say
/// so instead of failing every signature. Secrets Sluice generates never contain ':', so a stored value without the
/// prefix is a plain-text secret from before sealing.
/// </remarks>
public sealed class AccessKeySecrets
{
    /// <summary>The size of a secrets key: 32 bytes (AES-256).</summary>
    public const int KeySize = 32;

    private const string Prefix = "aesgcm1:";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    /// <summary>Uses <paramref name="key"/> (32 bytes) to seal and open secrets.</summary>
    /// <param name="key">The secrets key.</param>
    /// <param name="source">Where the key came from (a file path, an environment variable), for messages; default "a key given in code".</param>
    /// <exception cref="ArgumentException">The key is not 32 bytes.</exception>
    public AccessKeySecrets(byte[] key, string source = "a key given in code")
    {
        Source = source;
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"a secrets key is {KeySize} bytes; this one has {key.Length}", nameof(key));
        }
        _key = [.. key];
        Fingerprint = Convert.ToHexStringLower(HMACSHA256.HashData(_key, "sluice secrets key fingerprint"u8)[..8]);
    }

    /// <summary>Where the key came from, for messages.</summary>
    public string Source { get; }

    /// <summary>Names the key without revealing it (16 hex digits); servers sharing a database must show the same.</summary>
    public string Fingerprint { get; }

    /// <summary>True when <paramref name="stored"/> is a sealed secret rather than plain text.</summary>
    public static bool IsSealed(string stored) => stored.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The fingerprint of the key that sealed <paramref name="stored"/>, or null for plain text.</summary>
    public static string? FingerprintOf(string stored)
    {
        if (!IsSealed(stored))
        {
            return null;
        }
        var end = stored.IndexOf(':', Prefix.Length);
        return end < 0 ? "" : stored[Prefix.Length..end];
    }

    /// <summary>Seals the secret of key <paramref name="keyId"/> for the store.</summary>
    public string Seal(string keyId, string secret)
    {
        var plain = Encoding.UTF8.GetBytes(secret);
        var sealedBytes = new byte[NonceSize + plain.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length), Encoding.UTF8.GetBytes(keyId));
        return $"{Prefix}{Fingerprint}:{Convert.ToBase64String(sealedBytes)}";
    }

    /// <summary>
    /// The plain secret of key <paramref name="keyId"/> from its stored form; a plain-text value (not sealed yet) is
    /// returned as it is. Null when it was sealed under another key, for another key id, or changed.
    /// </summary>
    public string? Open(string keyId, string stored)
    {
        if (!IsSealed(stored))
        {
            return stored;
        }
        var at = Prefix.Length + Fingerprint.Length;
        if (FingerprintOf(stored) != Fingerprint)
        {
            return null;
        }
        byte[] sealedBytes;
        try
        {
            sealedBytes = Convert.FromBase64String(stored[(at + 1)..]);
        }
        catch (FormatException)
        {
            return null;
        }
        if (sealedBytes.Length < NonceSize + TagSize)
        {
            return null;
        }
        var length = sealedBytes.Length - NonceSize - TagSize;
        var plain = new byte[length];
        try
        {
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, length), sealedBytes.AsSpan(NonceSize + length), plain, Encoding.UTF8.GetBytes(keyId));
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        return Encoding.UTF8.GetString(plain);
    }
}
