using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Sluice.Contracts;
using Sluice.Core.Model;
using Sluice.Server.Api;

namespace Sluice.Server.Auth;

/// <summary>
/// Verifies the AWS Signature Version 4 of every API request and records the caller's account.
/// The signature covers method, raw path, query, the signed headers (host and x-amz-date at least)
/// and the body hash, which is checked against the body itself. The credential scope must name this
/// server's region, and a changing request (POST, PUT, PATCH, DELETE) is accepted once.
/// </summary>
internal sealed class SignatureAuthentication(AccessKeyCache keys, ReplayGuard replays, ApiSettings settings, TimeProvider time)
{
    private const string AccountKey = "sluice.accountId";
    private const string BodyHashKey = "sluice.bodyHash";
    private const string KeyIdKey = "sluice.accessKeyId";
    private static readonly TimeSpan AllowedSkew = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Whether the request is an API call that must be signed: every path of the native API whatever the case of
    /// its segments (routing ignores case, so the check must too), and every endpoint marked <see cref="SignedApi"/>.
    /// </summary>
    public static bool RequiresSignature(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase)
        || context.GetEndpoint()?.Metadata.GetMetadata<SignedApi>() is not null;

    public static string AccountId(HttpContext context) =>
        context.Items[AccountKey] as string ?? throw new InvalidOperationException("the request was not authenticated");

    /// <summary>The access key id that signed the request.</summary>
    public static string AccessKeyId(HttpContext context) =>
        context.Items[KeyIdKey] as string ?? throw new InvalidOperationException("the request was not authenticated");

    /// <summary>Drops a key from the cache after it was disabled, enabled or deleted, so the change holds from the next request.</summary>
    public void Forget(string keyId) => keys.Invalidate(keyId);

    /// <summary>The verified SHA-256 of the request body: a client-token replay must send the same body.</summary>
    public static string? BodyHash(HttpContext context) => context.Items[BodyHashKey] as string;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!RequiresSignature(context))
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        // Refused before anything is read: a body's hash is computed over all of it.
        if (context.Request.ContentLength > settings.MaxRequestBodyBytes)
        {
            await ApiErrors.WriteAsync(context, ErrorCodes.RequestTooLarge, ApiErrors.TooLargeMessage(settings)).ConfigureAwait(false);
            return;
        }
        var (code, message) = await VerifyAsync(context, SigV4.Service).ConfigureAwait(false);
        if (code is not null)
        {
            await ApiErrors.WriteAsync(context, code, message!).ConfigureAwait(false);
            return;
        }
        // Ids and names never hold control characters (the validators refuse them), so a decoded path with one names
        // nothing; say so rather than look it up (Kestrel itself refuses a NUL, which PostgreSQL could not take).
        if (context.Request.Path.Value is { } decoded && decoded.AsSpan().IndexOfAnyInRange('\0', '\u001f') is var at && at >= 0)
        {
            await ApiErrors.WriteAsync(context, ErrorCodes.InvalidParameter,
                $"the request path has a control character (U+{(int)decoded[at]:X4}); ids and names never contain one").ConfigureAwait(false);
            return;
        }
        await next(context).ConfigureAwait(false);
    }

    /// <summary>
    /// Checks the request's SigV4 signature for <paramref name="service"/> (sluice, or a compatibility API's own such
    /// as elasticmapreduce) and, when it holds, records the caller as <see cref="AccountId"/> does; otherwise returns
    /// the native error code and message, which a compatibility API translates into its own error shape.
    /// </summary>
    /// <param name="context">The request.</param>
    /// <param name="service">The service of the credential scope.</param>
    /// <param name="guardReplays">
    /// Whether a changing request is accepted once (the default). A door whose clients sign nothing unique (botocore adds
    /// its invocation id after signing) passes false and guards only its operations that create something, with
    /// <see cref="RecordOnce"/>: a repeated describe within one second is not an attack.
    /// </param>
    public async Task<(string? Code, string? Message)> VerifyAsync(HttpContext context, string service, bool guardReplays = true)
    {
        var request = context.Request;
        var header = request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return (ErrorCodes.MissingAuthentication, "the request is not signed; sign it with your access key (AWS Signature Version 4, service 'sluice') — the Sluice SDK and CLI do this for you");
        }
        var auth = SigV4.ParseAuthorization(header);
        if (auth is null || auth.Service != service)
        {
            return (ErrorCodes.SignatureDoesNotMatch, $"the Authorization header is not an {SigV4.Algorithm} signature for service '{service}'");
        }
        var amzDate = request.Headers[SigV4.DateHeader].ToString();
        if (!SigV4.TryParseDate(amzDate, out var signedAt) || !amzDate.StartsWith(auth.Date, StringComparison.Ordinal))
        {
            return (ErrorCodes.SignatureDoesNotMatch, $"the {SigV4.DateHeader} header is missing or does not match the credential scope date");
        }
        if (!string.Equals(auth.Region, settings.Region, StringComparison.Ordinal))
        {
            return (ErrorCodes.InvalidRegion, $"the credential scope names region '{auth.Region}'; this server's region is '{settings.Region}' — sign with region '{settings.Region}' (SluiceClientOptions.Region)");
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
        var key = await keys.FindAsync(auth.AccessKeyId, context.RequestAborted).ConfigureAwait(false);
        if (key is null || !key.Enabled)
        {
            return (ErrorCodes.InvalidAccessKeyId, $"access key '{auth.AccessKeyId}' does not exist or is disabled");
        }

        var payloadHash = await BodyHashAsync(request, settings.MaxRequestBodyBytes).ConfigureAwait(false);
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
        var expected = SigV4.ComputeSignature(keys.SigningKey(key, auth.Date, auth.Region, service), request.Method, path, query, headers, claimedHash.Length > 0 ? claimedHash : payloadHash, amzDate, auth.Region, service);
        if (!CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(expected.AsSpan()), MemoryMarshal.AsBytes(auth.Signature.AsSpan())))
        {
            return (ErrorCodes.SignatureDoesNotMatch, "the signature does not match the request; check the secret access key and that the request was not changed after signing");
        }
        // Only a verified signature is recorded: anyone could send a forged one first to block the real request.
        if (guardReplays && ReplayGuard.Guards(request.Method) && !replays.TryRecord(auth.Signature, signedAt + AllowedSkew))
        {
            return (ErrorCodes.ReplayedRequest, ReplayedMessage(request.Method));
        }
        Authenticated(context, key, payloadHash);
        return (null, null);
    }

    /// <summary>
    /// After a <see cref="VerifyAsync"/> without its replay guard: accepts this verified signature once, or returns the
    /// ReplayedRequest error for one already received.
    /// </summary>
    public (string? Code, string? Message) RecordOnce(HttpContext context)
    {
        var auth = SigV4.ParseAuthorization(context.Request.Headers.Authorization.ToString());
        if (auth is null || !SigV4.TryParseDate(context.Request.Headers[SigV4.DateHeader].ToString(), out var signedAt))
        {
            throw new InvalidOperationException("the request was not verified");
        }
        return replays.TryRecord(auth.Signature, signedAt + AllowedSkew) ? (null, null) : (ErrorCodes.ReplayedRequest, ReplayedMessage(context.Request.Method));
    }

    private static string ReplayedMessage(string method) =>
        $"this signed {method} request was already received; a change is accepted once. To repeat it on purpose, sign it again with another {SigV4.DateHeader} or a unique signed header such as {SluiceHeaders.InvocationId} (the Sluice SDK and CLI do this)";

    /// <summary>
    /// Records the caller of a request a compatibility API verified with its own scheme (bce-auth-v1, acs), so that
    /// <see cref="AccountId"/>, <see cref="AccessKeyId"/> and <see cref="BodyHash"/> answer the same for every door.
    /// </summary>
    public static void Authenticated(HttpContext context, AccessKey key, string? bodyHash)
    {
        context.Items[AccountKey] = key.AccountId;
        context.Items[KeyIdKey] = key.KeyId;
        context.Items[BodyHashKey] = bodyHash;
    }

    /// <summary>The hex SHA-256 of the body, read once and kept (buffered, bounded by <paramref name="limit"/>) for the endpoint to read again.</summary>
    public static async Task<string> BodyHashAsync(HttpRequest request, long limit)
    {
        if (request.ContentLength is 0 || (request.ContentLength is null && !request.Headers.TransferEncoding.Any()))
        {
            return SigV4.EmptyPayloadHash;
        }
        // Kept for the endpoint to read again: in memory up to 30 KiB, beyond that in a temporary file, never past the limit.
        request.EnableBuffering(bufferThreshold: 30 * 1024, bufferLimit: limit);
        // Read in large pieces: every read of the buffered body is a read of the connection and a write of the file.
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer, request.HttpContext.RequestAborted).ConfigureAwait(false)) > 0)
            {
                sha.AppendData(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        var hash = Convert.ToHexStringLower(sha.GetHashAndReset());
        request.Body.Position = 0;
        return hash;
    }
}
