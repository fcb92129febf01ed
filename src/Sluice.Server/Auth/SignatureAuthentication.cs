using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Sluice.Contracts;
using Sluice.Core.Accounts;
using Sluice.Core.Model;
using Sluice.Server.Api;

namespace Sluice.Server.Auth;

/// <summary>
/// Verifies the AWS Signature Version 4 of every /v1 request and records the caller's account.
/// The signature covers method, raw path, query, the signed headers (host and x-amz-date at least)
/// and the body hash, which is checked against the body itself.
/// </summary>
internal sealed class SignatureAuthentication(AccessKeyService keys, TimeProvider time)
{
    private const string AccountKey = "sluice.accountId";
    private const string BodyHashKey = "sluice.bodyHash";
    private const string KeyIdKey = "sluice.accessKeyId";
    private static readonly TimeSpan AllowedSkew = TimeSpan.FromMinutes(15);
    // A key disabled on this server is forgotten at once (Forget); one disabled on another server sharing the
    // database stops working here when its entry expires, so entries are kept briefly.
    private static readonly TimeSpan KeyCacheLifetime = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, (AccessKey? Key, DateTimeOffset LoadedAt)> _keys = new(StringComparer.Ordinal);
    // Derived signing keys change once a day per key and region; deriving costs four HMACs.
    private readonly ConcurrentDictionary<(string KeyId, string Secret, string Date, string Region), byte[]> _signingKeys = new();

    public static string AccountId(HttpContext context) =>
        context.Items[AccountKey] as string ?? throw new InvalidOperationException("the request was not authenticated");

    /// <summary>The access key id that signed the request.</summary>
    public static string AccessKeyId(HttpContext context) =>
        context.Items[KeyIdKey] as string ?? throw new InvalidOperationException("the request was not authenticated");

    /// <summary>Drops a key from the cache after it was disabled, enabled or deleted, so the change holds from the next request.</summary>
    public void Forget(string keyId) => _keys.TryRemove(keyId, out _);

    /// <summary>The verified SHA-256 of the request body: a client-token replay must send the same body.</summary>
    public static string? BodyHash(HttpContext context) => context.Items[BodyHashKey] as string;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!context.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal))
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        var (code, message) = await VerifyAsync(context).ConfigureAwait(false);
        if (code is not null)
        {
            await ApiErrors.WriteAsync(context, code, message!).ConfigureAwait(false);
            return;
        }
        await next(context).ConfigureAwait(false);
    }

    private async Task<(string? Code, string? Message)> VerifyAsync(HttpContext context)
    {
        var request = context.Request;
        var header = request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return (ErrorCodes.MissingAuthentication, "the request is not signed; sign it with your access key (AWS Signature Version 4, service 'sluice') — the Sluice SDK and CLI do this for you");
        }
        var auth = SigV4.ParseAuthorization(header);
        if (auth is null || auth.Service != SigV4.Service)
        {
            return (ErrorCodes.SignatureDoesNotMatch, $"the Authorization header is not an {SigV4.Algorithm} signature for service '{SigV4.Service}'");
        }
        var amzDate = request.Headers[SigV4.DateHeader].ToString();
        if (!SigV4.TryParseDate(amzDate, out var signedAt) || !amzDate.StartsWith(auth.Date, StringComparison.Ordinal))
        {
            return (ErrorCodes.SignatureDoesNotMatch, $"the {SigV4.DateHeader} header is missing or does not match the credential scope date");
        }
        var skew = (time.GetUtcNow() - signedAt).Duration();
        if (skew > AllowedSkew)
        {
            return (ErrorCodes.RequestExpired, $"the request was signed at {signedAt:O}, {skew.TotalMinutes:0} minutes from the server's clock; the limit is {AllowedSkew.TotalMinutes:0} minutes — check the clock and sign again");
        }
        if (!auth.SignedHeaders.Contains("host") || !auth.SignedHeaders.Contains(SigV4.DateHeader))
        {
            return (ErrorCodes.SignatureDoesNotMatch, $"SignedHeaders must include host and {SigV4.DateHeader}");
        }
        var key = await FindKeyAsync(auth.AccessKeyId, context.RequestAborted).ConfigureAwait(false);
        if (key is null || !key.Enabled)
        {
            return (ErrorCodes.InvalidAccessKeyId, $"access key '{auth.AccessKeyId}' does not exist or is disabled");
        }

        var payloadHash = await BodyHashAsync(request).ConfigureAwait(false);
        var claimedHash = request.Headers[SigV4.ContentHashHeader].ToString();
        if (claimedHash.Length > 0 && !string.Equals(claimedHash, payloadHash, StringComparison.Ordinal))
        {
            return (ErrorCodes.SignatureDoesNotMatch, $"{SigV4.ContentHashHeader} does not match the body");
        }

        var headers = new List<KeyValuePair<string, string>>(auth.SignedHeaders.Count);
        foreach (var name in auth.SignedHeaders)
        {
            var value = name == "host" ? request.Host.Value ?? "" : request.Headers[name].ToString();
            headers.Add(new(name, value));
        }
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path + request.QueryString;
        var q = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var path = q < 0 ? rawTarget : rawTarget[..q];
        var query = q < 0 ? "" : rawTarget[(q + 1)..];
        var expected = SigV4.ComputeSignature(SigningKey(key, auth.Date, auth.Region), request.Method, path, query, headers, claimedHash.Length > 0 ? claimedHash : payloadHash, amzDate, auth.Region);
        if (!CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(expected.AsSpan()), MemoryMarshal.AsBytes(auth.Signature.AsSpan())))
        {
            return (ErrorCodes.SignatureDoesNotMatch, "the signature does not match the request; check the secret access key and that the request was not changed after signing");
        }
        context.Items[AccountKey] = key.AccountId;
        context.Items[KeyIdKey] = key.KeyId;
        context.Items[BodyHashKey] = payloadHash;
        return (null, null);
    }

    private byte[] SigningKey(AccessKey key, string date, string region)
    {
        if (_signingKeys.Count > 10_000)
        {
            _signingKeys.Clear();
        }
        return _signingKeys.GetOrAdd((key.KeyId, key.Secret, date, region), static k => SigV4.DeriveSigningKey(k.Secret, k.Date, k.Region));
    }

    private static async Task<string> BodyHashAsync(HttpRequest request)
    {
        if (request.ContentLength is 0 || (request.ContentLength is null && !request.Headers.TransferEncoding.Any()))
        {
            return SigV4.EmptyPayloadHash;
        }
        request.EnableBuffering();
        var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(request.Body, request.HttpContext.RequestAborted).ConfigureAwait(false));
        request.Body.Position = 0;
        return hash;
    }

    // Keys are cached briefly: every request needs one and they change rarely.
    private async Task<AccessKey?> FindKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_keys.TryGetValue(keyId, out var cached) && now - cached.LoadedAt < KeyCacheLifetime)
        {
            return cached.Key;
        }
        var key = await keys.FindForSigningAsync(keyId, cancellationToken).ConfigureAwait(false);
        _keys[keyId] = (key, now);
        return key;
    }
}
