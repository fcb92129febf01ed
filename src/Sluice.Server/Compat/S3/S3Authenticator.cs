using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Sluice.Contracts;
using Sluice.Server.Api;
using Sluice.Server.Auth;

namespace Sluice.Server.Compat.S3;

/// <summary>
/// Verifies S3's SigV4, in the Authorization header or in a presigned query string, against Sluice's access keys,
/// without reading the body: S3 bodies are objects of up to gigabytes, so the payload hash a header signature claims
/// is checked while the body streams to disk (<see cref="S3Payload"/>), and a presigned URL's payload is unsigned.
/// </summary>
/// <remarks>
/// Changing requests are not refused as replays, unlike the native API: S3 clients reuse presigned URLs by design and
/// re-send identical PUTs and DELETEs, which S3 treats as the idempotent operations they are.
/// </remarks>
internal sealed class S3Authenticator(AccessKeyCache keys, ApiSettings settings, TimeProvider time)
{
    /// <summary>The credential scope service of S3.</summary>
    public const string Service = "s3";

    /// <summary>The longest a presigned URL may be valid: seven days, as S3.</summary>
    public const int MaxExpiresSeconds = 604_800;

    private static readonly TimeSpan AllowedSkew = TimeSpan.FromMinutes(15);

    /// <summary>The caller, or an <see cref="S3Exception"/> in S3's terms.</summary>
    public Task<S3Caller> AuthenticateAsync(HttpContext context, S3Request request)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.Length > 0)
        {
            return FromHeaderAsync(context, request, header);
        }
        if (request.Has("X-Amz-Credential"))
        {
            return FromQueryAsync(context, request);
        }
        throw S3Errors.AccessDenied("Anonymous access is not allowed: sign the request with a Sluice access key (AWS Signature Version 4, service 's3')");
    }

    private async Task<S3Caller> FromHeaderAsync(HttpContext context, S3Request request, string header)
    {
        var auth = SigV4.ParseAuthorization(header);
        if (auth is null || auth.Service != Service)
        {
            throw new S3Exception(400, "AuthorizationHeaderMalformed", $"The authorization header is malformed; expected {SigV4.Algorithm} Credential=KEY/DATE/REGION/s3/aws4_request, SignedHeaders=…, Signature=…");
        }
        var headers = context.Request.Headers;
        var amzDate = headers[SigV4.DateHeader].ToString();
        if (!SigV4.TryParseDate(amzDate, out var signedAt) || !amzDate.StartsWith(auth.Date, StringComparison.Ordinal))
        {
            throw new S3Exception(400, "AuthorizationHeaderMalformed", $"The {SigV4.DateHeader} header is missing, malformed, or not of the credential scope's date '{auth.Date}'");
        }
        CheckRegion(auth.Region, "AuthorizationHeaderMalformed");
        var skew = (time.GetUtcNow() - signedAt).Duration();
        if (skew > AllowedSkew)
        {
            throw new S3Exception(403, "RequestTimeTooSkewed", $"The difference between the request time ({signedAt:O}) and the server's time is too large ({skew.TotalMinutes:0} minutes; at most {AllowedSkew.TotalMinutes:0})");
        }
        if (!auth.SignedHeaders.Contains("host"))
        {
            throw new S3Exception(400, "AuthorizationHeaderMalformed", "SignedHeaders must include host");
        }
        var payloadHash = headers[SigV4.ContentHashHeader].ToString();
        if (payloadHash.Length == 0)
        {
            throw S3Errors.InvalidRequest($"Missing required header for this request: {SigV4.ContentHashHeader}");
        }
        if (!S3Payload.IsKnownMode(payloadHash))
        {
            throw S3Errors.InvalidArgument($"{SigV4.ContentHashHeader} must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a hex SHA-256");
        }
        var key = await FindKeyAsync(context, auth.AccessKeyId).ConfigureAwait(false);
        var signingKey = keys.SigningKey(key, auth.Date, auth.Region, Service);
        var signed = SignedHeaders(context, auth.SignedHeaders);
        var expected = SigV4.ComputeSignature(signingKey, context.Request.Method, request.RawPath, request.RawQuery, signed, payloadHash, amzDate, auth.Region, Service);
        Check(expected, auth.Signature);
        return Accept(context, key, payloadHash, auth.Signature, signingKey, amzDate, auth);
    }

    private async Task<S3Caller> FromQueryAsync(HttpContext context, S3Request request)
    {
        if (request["X-Amz-Algorithm"] != SigV4.Algorithm)
        {
            throw new S3Exception(400, "AuthorizationQueryParametersError", $"X-Amz-Algorithm must be {SigV4.Algorithm}");
        }
        var credential = request["X-Amz-Credential"]!.Split('/');
        var amzDate = request["X-Amz-Date"] ?? "";
        var signedHeaderList = request["X-Amz-SignedHeaders"] ?? "";
        var signature = request["X-Amz-Signature"] ?? "";
        if (credential is not [var keyId, var date, var region, Service, "aws4_request"] || signature.Length == 0 || signedHeaderList.Length == 0
            || !SigV4.TryParseDate(amzDate, out var signedAt) || !amzDate.StartsWith(date, StringComparison.Ordinal))
        {
            throw new S3Exception(400, "AuthorizationQueryParametersError",
                "Query-string authentication requires X-Amz-Algorithm, X-Amz-Credential (KEY/DATE/REGION/s3/aws4_request), X-Amz-Date of the credential's date, X-Amz-SignedHeaders, X-Amz-Expires and X-Amz-Signature");
        }
        if (!int.TryParse(request["X-Amz-Expires"], NumberStyles.None, CultureInfo.InvariantCulture, out var expires) || expires < 1 || expires > MaxExpiresSeconds)
        {
            throw new S3Exception(400, "AuthorizationQueryParametersError", $"X-Amz-Expires must be a number of seconds from 1 to {MaxExpiresSeconds} (seven days)");
        }
        CheckRegion(region, "AuthorizationQueryParametersError");
        var now = time.GetUtcNow();
        if (now > signedAt.AddSeconds(expires))
        {
            throw S3Errors.AccessDenied($"Request has expired: signed at {signedAt:O} for {expires} seconds; the server's time is {now:O}");
        }
        if (signedAt - now > AllowedSkew)
        {
            throw S3Errors.AccessDenied($"Request is not valid yet: signed at {signedAt:O}, the server's time is {now:O}");
        }
        var names = signedHeaderList.Split(';');
        if (!names.Contains("host"))
        {
            throw new S3Exception(400, "AuthorizationQueryParametersError", "X-Amz-SignedHeaders must include host");
        }
        var key = await FindKeyAsync(context, keyId).ConfigureAwait(false);
        var signingKey = keys.SigningKey(key, date, region, Service);
        var payloadHash = context.Request.Headers[SigV4.ContentHashHeader].ToString() is { Length: > 0 } claimed ? claimed : S3Payload.Unsigned;
        if (!S3Payload.IsKnownMode(payloadHash))
        {
            throw S3Errors.InvalidArgument($"{SigV4.ContentHashHeader} must be UNSIGNED-PAYLOAD or a hex SHA-256");
        }
        // Everything but the signature itself is signed, in the order and encoding the client sent.
        var query = string.Join('&', request.RawQuery.Split('&').Where(p => !p.StartsWith("X-Amz-Signature=", StringComparison.Ordinal)));
        var expected = SigV4.ComputeSignature(signingKey, context.Request.Method, request.RawPath, query, SignedHeaders(context, names), payloadHash, amzDate, region, Service);
        Check(expected, signature);
        return Record(context, new S3Caller(key, payloadHash, signature, signingKey, amzDate, $"{date}/{region}/{Service}/aws4_request"));
    }

    private void CheckRegion(string region, string code)
    {
        if (!string.Equals(region, settings.Region, StringComparison.Ordinal))
        {
            throw new S3Exception(400, code, $"The authorization region '{region}' is wrong; this server's region is '{settings.Region}' (set AWS_DEFAULT_REGION={settings.Region} or region_name='{settings.Region}')");
        }
    }

    private async Task<Core.Model.AccessKey> FindKeyAsync(HttpContext context, string keyId)
    {
        var key = await keys.FindAsync(keyId, context.RequestAborted).ConfigureAwait(false);
        if (key is null || !key.Enabled)
        {
            throw new S3Exception(403, "InvalidAccessKeyId", $"The AWS Access Key Id you provided does not exist in our records: '{keyId}' is no enabled Sluice access key");
        }
        return key;
    }

    private static List<KeyValuePair<string, string>> SignedHeaders(HttpContext context, IReadOnlyList<string> names)
    {
        var request = context.Request;
        var headers = new List<KeyValuePair<string, string>>(names.Count);
        foreach (var name in names)
        {
            var value = name == "host" ? request.Host.Value ?? "" : request.Headers[name].ToString();
            headers.Add(new(name, value));
        }
        return headers;
    }

    private static void Check(string expected, string given)
    {
        if (!CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(expected.AsSpan()), MemoryMarshal.AsBytes(given.AsSpan())))
        {
            throw S3Errors.SignatureDoesNotMatch("The request signature we calculated does not match the signature you provided. Check your key and signing method.");
        }
    }

    private static S3Caller Accept(HttpContext context, Core.Model.AccessKey key, string payloadHash, string signature, byte[] signingKey, string amzDate, SigV4.ParsedAuthorization auth) =>
        Record(context, new S3Caller(key, payloadHash, signature, signingKey, amzDate, $"{auth.Date}/{auth.Region}/{Service}/aws4_request"));

    private static S3Caller Record(HttpContext context, S3Caller caller)
    {
        // The body is checked as it is read, so no body hash is recorded here.
        SignatureAuthentication.Authenticated(context, caller.Key, null);
        return caller;
    }
}
