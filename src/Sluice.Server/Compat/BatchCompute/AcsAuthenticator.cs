using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Sluice.Contracts;
using Sluice.Server.Api;
using Sluice.Server.Auth;

namespace Sluice.Server.Compat.BatchCompute;

/// <summary>
/// Verifies the <c>acs</c> signature of a BatchCompute request against the Sluice access keys and records the caller
/// (<see cref="SignatureAuthentication.Authenticated"/>), so the core services see the same account as the native API.
/// </summary>
/// <remarks>
/// <para>The signature covers the method, Accept, Content-Type, Date, every <c>x-acs-*</c> header and the path with its
/// query; it does not cover the body (see <see cref="AcsSignature"/>). So a changing request must carry
/// <c>x-acs-signature-nonce</c> (the SDK sends a fresh UUID in each): the nonce makes each signature unique, and the
/// <see cref="ReplayGuard"/> accepts a signature once, so a captured request cannot be sent again with the same or
/// another body. What no server check can stop is a party that can alter a request in flight (plain HTTP) swapping the
/// body of a request before the real one arrives; serve BatchCompute clients over TLS or on a trusted network. When the
/// SDK's unsigned <c>contentMd5</c> header is present the body must match it, which catches damage, not an attacker.</para>
/// <para>The Date header must be within <see cref="AllowedSkew"/> of the server's clock, as for the native API.</para>
/// </remarks>
internal sealed class AcsAuthenticator(AccessKeyCache keys, ReplayGuard replays, ApiSettings settings, TimeProvider time)
{
    /// <summary>How far the Date header may be from the server's clock.</summary>
    public static readonly TimeSpan AllowedSkew = TimeSpan.FromMinutes(15);

    /// <summary>The header the SDK puts its unsigned body MD5 (hex) in.</summary>
    public const string SdkMd5Header = "contentMd5";

    /// <summary>The header whose fresh value makes each signed request unique.</summary>
    public const string NonceHeader = "x-acs-signature-nonce";

    /// <summary>Null when the request is signed by an enabled key; otherwise the native error code and message.</summary>
    public async Task<(string? Code, string? Message)> VerifyAsync(HttpContext context)
    {
        var request = context.Request;
        if (!AcsSignature.TryParse(request.Headers.Authorization.ToString(), out var keyId, out var signature))
        {
            return (ErrorCodes.MissingAuthentication, "the Authorization header must be 'acs ACCESS_KEY_ID:SIGNATURE' (the batchcompute SDK sends it); use a Sluice access key as the key id and secret");
        }
        var date = request.Headers.Date.ToString();
        if (!DateTimeOffset.TryParseExact(date, "r", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var signedAt))
        {
            return (ErrorCodes.SignatureDoesNotMatch, $"the Date header '{date}' is missing or not an RFC 1123 date such as 'Wed, 02 Dec 2026 03:00:00 GMT'; it is part of the signature");
        }
        var skew = (time.GetUtcNow() - signedAt).Duration();
        if (skew > AllowedSkew)
        {
            return (ErrorCodes.RequestExpired, $"the request is dated {signedAt:O}, {skew.TotalMinutes:0} minutes from the server's clock; the limit is {AllowedSkew.TotalMinutes:0} minutes — check the clock and send it again");
        }
        var guarded = ReplayGuard.Guards(request.Method);
        if (guarded && request.Headers[NonceHeader].ToString().Length == 0)
        {
            return (ErrorCodes.SignatureDoesNotMatch, $"a {request.Method} request must sign a fresh {NonceHeader} header (the batchcompute SDK sends one): the signature does not cover the body, so the nonce is what makes each request unique");
        }
        var key = await keys.FindAsync(keyId, context.RequestAborted).ConfigureAwait(false);
        if (key is null || !key.Enabled)
        {
            return (ErrorCodes.InvalidAccessKeyId, $"access key '{keyId}' does not exist or is disabled; use a Sluice access key (sluice keys create)");
        }
        if (request.ContentLength > settings.MaxRequestBodyBytes)
        {
            return (ErrorCodes.RequestTooLarge, ApiErrors.TooLargeMessage(settings));
        }

        var acsHeaders = new List<KeyValuePair<string, string>>(8);
        foreach (var (name, values) in request.Headers)
        {
            if (name.StartsWith(AcsSignature.HeaderPrefix, StringComparison.OrdinalIgnoreCase))
            {
                acsHeaders.Add(new(name, values.ToString()));
            }
        }
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path + request.QueryString;
        var stringToSign = AcsSignature.StringToSign(request.Method, request.Headers.Accept.ToString(), request.Headers["Content-MD5"].ToString(),
            request.Headers.ContentType.ToString(), date, acsHeaders, target);
        var expected = AcsSignature.Mac(key.Secret, stringToSign);
        var given = new byte[expected.Length];
        if (!Convert.TryFromBase64String(signature, given, out var length) || length != expected.Length
            || !CryptographicOperations.FixedTimeEquals(expected, given))
        {
            return (ErrorCodes.SignatureDoesNotMatch, "the signature does not match the request; check the access key secret and that nothing signed (Date, x-acs-* headers, path, query) changed after signing");
        }

        var bodyHash = await SignatureAuthentication.BodyHashAsync(request, settings.MaxRequestBodyBytes).ConfigureAwait(false);
        if (request.Headers[SdkMd5Header].ToString() is { Length: > 0 } md5 && !string.Equals(md5, await Md5HexAsync(request).ConfigureAwait(false), StringComparison.OrdinalIgnoreCase))
        {
            return (ErrorCodes.SignatureDoesNotMatch, $"the body does not match its {SdkMd5Header} header; it was changed on the way — send it again");
        }
        // Only a verified signature is recorded: anyone could send a forged one first to block the real request.
        if (guarded && !replays.TryRecord(Convert.ToHexString(expected), signedAt + AllowedSkew))
        {
            return (ErrorCodes.ReplayedRequest, $"this signed {request.Method} request was already received; a change is accepted once — send it again with a new {NonceHeader} (the SDK does this for every call)");
        }
        SignatureAuthentication.Authenticated(context, key, bodyHash);
        return (null, null);
    }

    // The SDK's MD5 is of the body it sends (its str_md5 of the JSON text, hex). MD5 is the protocol's, and it only
    // detects damage: the header is not signed, so it is no security check.
#pragma warning disable CA5351
    private static async Task<string> Md5HexAsync(HttpRequest request)
    {
        if (!request.Body.CanSeek)
        {
            return Convert.ToHexStringLower(MD5.HashData([]));
        }
        request.Body.Position = 0;
        var hash = await MD5.HashDataAsync(request.Body, request.HttpContext.RequestAborted).ConfigureAwait(false);
        request.Body.Position = 0;
        return Convert.ToHexStringLower(hash);
    }
#pragma warning restore CA5351
}
