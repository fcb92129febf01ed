using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Sluice.Server.Api;
using Sluice.Server.Auth;

namespace Sluice.Server.Compat.Bmr;

/// <summary>
/// Verifies a request's <c>bce-auth-v1</c> signature against the caller's Sluice access key and records the caller
/// as the native check does (<see cref="SignatureAuthentication.Authenticated"/>).
/// </summary>
/// <remarks>
/// The signature covers the method, the path as sent, the query, host (with its port) and every <c>x-bce-*</c>
/// header, but not the body: that is the scheme's, and BmrClient signs nothing else. It is valid from its timestamp
/// for its expiration (the SDK signs 1800 s); a timestamp more than <see cref="AllowedSkew"/> ahead of the server's
/// clock is refused, and so is an expiration over <see cref="MaxExpirationSeconds"/>, which would let a captured
/// request live longer than the replay memory is meant to hold it. A changing request is accepted once
/// (<see cref="ReplayGuard"/>, keyed by signature and body): the SDK signs each attempt afresh, so its retries a
/// second or more apart pass, and two different requests to one path in the same second both pass. A create or add
/// with a clientToken is exempt: the core's token makes its repeat return the first result and change nothing.
/// Because the scheme leaves the body unsigned, whoever captures a signature could send it with another body within
/// its window; a client that signs <see cref="ContentHashHeader"/> closes that (the check is done when it is sent),
/// and TLS in front of the server closes it for all.
/// </remarks>
internal sealed class BmrAuthentication(AccessKeyCache keys, ReplayGuard replays, ApiSettings settings, TimeProvider time)
{
    /// <summary>How far ahead of the server's clock a timestamp may be.</summary>
    public static readonly TimeSpan AllowedSkew = TimeSpan.FromMinutes(15);

    /// <summary>An optional signed header with the hex SHA-256 of the body; when a client sends it, it must match.</summary>
    public const string ContentHashHeader = "x-bce-content-sha256";

    /// <summary>The longest validity a signature may claim: one hour.</summary>
    public const int MaxExpirationSeconds = 3600;

    /// <summary>Verifies the request and records its caller; throws <see cref="BmrException"/> when it does not hold.</summary>
    public async Task AuthenticateAsync(HttpContext context)
    {
        var request = context.Request;
        var header = request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            throw new BmrException(BmrErrors.AccessDenied, StatusCodes.Status403Forbidden,
                "the request is not signed; sign it with bce-auth-v1 and a Sluice access key (BceClientConfiguration(credentials=BceCredentials(keyId, secret)))");
        }
        if (!header.StartsWith(BceAuthV1.Scheme + "/", StringComparison.Ordinal))
        {
            throw new BmrException(BmrErrors.InvalidHttpAuthHeader, StatusCodes.Status400BadRequest,
                $"{request.Path} is the BMR API, signed with bce-auth-v1; the native Sluice API is under /v1/clusters");
        }
        var auth = BceAuthV1.Parse(header) ?? throw new BmrException(BmrErrors.InvalidHttpAuthHeader, StatusCodes.Status400BadRequest,
            "the Authorization header is not bce-auth-v1/{accessKeyId}/{yyyy-mm-ddThh:mm:ssZ}/{expirationSeconds}/{signedHeaders}/{64 hex digits}");
        if (auth.ExpirationSeconds is < 1 or > MaxExpirationSeconds)
        {
            throw new BmrException(BmrErrors.InvalidHttpAuthHeader, StatusCodes.Status400BadRequest,
                $"the signature's expiration is {auth.ExpirationSeconds} seconds; this server accepts 1 to {MaxExpirationSeconds} (the SDK signs {BceAuthV1.DefaultExpirationSeconds})");
        }
        var signedHeaders = auth.SignedHeaders.Count == 0 ? BceAuthV1.DefaultSignedHeaders : auth.SignedHeaders;
        if (!signedHeaders.Contains("host"))
        {
            throw new BmrException(BmrErrors.InvalidHttpAuthHeader, StatusCodes.Status400BadRequest, "the signed headers must include host");
        }
        var now = time.GetUtcNow();
        var validUntil = auth.SignedAt.AddSeconds(auth.ExpirationSeconds);
        if (now > validUntil)
        {
            throw new BmrException(BmrErrors.RequestExpired, StatusCodes.Status400BadRequest,
                $"the signature of {auth.Timestamp} expired at {BceAuthV1.Timestamp(validUntil)} ({auth.ExpirationSeconds} s); the server's time is {BceAuthV1.Timestamp(now)} — check the clock and send the request again");
        }
        if (auth.SignedAt - now > AllowedSkew)
        {
            throw new BmrException(BmrErrors.RequestExpired, StatusCodes.Status400BadRequest,
                $"the request was signed at {auth.Timestamp}, more than {AllowedSkew.TotalMinutes:0} minutes ahead of the server's time {BceAuthV1.Timestamp(now)} — check the clock");
        }
        var key = await keys.FindAsync(auth.AccessKeyId, context.RequestAborted).ConfigureAwait(false);
        if (key is null || !key.Enabled)
        {
            throw new BmrException(BmrErrors.InvalidAccessKeyId, StatusCodes.Status403Forbidden, $"access key '{auth.AccessKeyId}' does not exist or is disabled; use a Sluice access key");
        }

        var headers = new List<KeyValuePair<string, string>>();
        foreach (var (name, values) in request.Headers)
        {
            headers.Add(new(name, values.ToString()));
        }
        var signedSet = signedHeaders.ToHashSet(StringComparer.Ordinal);
        var canonicalHeaders = BceAuthV1.CanonicalHeaders(headers, signedSet);
        var canonicalQuery = BceAuthV1.CanonicalQuery(request.Query.SelectMany(q => q.Value.Count == 0 ? [new KeyValuePair<string, string>(q.Key, "")] : q.Value.Select(v => new KeyValuePair<string, string>(q.Key, v ?? ""))));
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.ToString();
        var q = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = q < 0 ? rawTarget : rawTarget[..q];
        var signingKey = BceAuthV1.SigningKey(key.Secret, key.KeyId, auth.Timestamp, auth.ExpirationSeconds);
        // BmrClient signs its path as it sends it; other BCE clients sign the path URI-encoded with '/' kept. Both
        // are the same for BMR's paths (ids are letters, digits and '-'); the second is tried only when they differ.
        var matches = Matches(BceAuthV1.Signature(signingKey, request.Method, rawPath, canonicalQuery, canonicalHeaders), auth.Signature);
        if (!matches && BceAuthV1.UriEncode(request.Path.Value ?? "", encodeSlash: false) is var encoded && encoded != rawPath)
        {
            matches = Matches(BceAuthV1.Signature(signingKey, request.Method, encoded, canonicalQuery, canonicalHeaders), auth.Signature);
        }
        if (!matches)
        {
            throw new BmrException(BmrErrors.SignatureDoesNotMatch, StatusCodes.Status400BadRequest,
                "the signature does not match the request; check the secret access key and that the request was not changed after signing");
        }
        var bodyHash = await SignatureAuthentication.BodyHashAsync(request, settings.MaxRequestBodyBytes).ConfigureAwait(false);
        if (request.Headers[ContentHashHeader].ToString() is { Length: > 0 } claimed && !string.Equals(claimed, bodyHash, StringComparison.OrdinalIgnoreCase))
        {
            throw new BmrException(BmrErrors.SignatureDoesNotMatch, StatusCodes.Status400BadRequest, $"{ContentHashHeader} does not match the body");
        }
        // Only a verified signature is recorded: anyone could send a forged one first to block the real request.
        // A create or add carrying a clientToken is its own replay protection: the core answers a repeat with the
        // first result and changes nothing, and the SDK repeats such a request within the second it signed it in.
        var idempotent = HttpMethods.IsPost(request.Method) && request.Query["clientToken"].ToString().Length > 0;
        if (ReplayGuard.Guards(request.Method) && !idempotent && !replays.TryRecord(ReplayId(auth.Signature, bodyHash), validUntil))
        {
            throw new BmrException(Contracts.ErrorCodes.ReplayedRequest, StatusCodes.Status403Forbidden,
                $"this signed {request.Method} request was already received with this body; a change is accepted once. To repeat it, sign it again (another x-bce-date second)");
        }
        SignatureAuthentication.Authenticated(context, key, bodyHash);
    }

    /// <summary>
    /// What the replay memory keeps of a changing request: its signature and its body. The signature alone covers no
    /// body and changes once a second, so two different creates in one second carry the same one; the SDK sends them.
    /// </summary>
    private static string ReplayId(string signature, string bodyHash) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(signature + ":" + bodyHash)));

    private static bool Matches(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(expected.AsSpan()), MemoryMarshal.AsBytes(actual.AsSpan()));
}
