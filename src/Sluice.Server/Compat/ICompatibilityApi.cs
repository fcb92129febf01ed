using Microsoft.AspNetCore.Http;

namespace Sluice.Server.Compat;

/// <summary>
/// A foreign service's API (EMR, S3, BMR, BatchCompute) served on the server's own port: a door onto the same core
/// services, accounts and keys as the native API, never a second engine.
/// </summary>
/// <remarks>
/// A door recognises its own requests by what its clients always send (the signing scheme or service in
/// Authorization, a protocol header such as X-Amz-Target), authenticates them with its own scheme against the same
/// access keys (<c>SignatureAuthentication.VerifyAsync</c> for SigV4 services, <c>AccessKeyCache</c> for others), and
/// answers everything, errors included, in its own protocol's shapes: once a door claims a request, nothing of the
/// native pipeline (its error body, its 404) reaches the client.
/// </remarks>
internal interface ICompatibilityApi
{
    /// <summary>Whether the request is this API's. Called for every request, so it only looks at headers and the path.</summary>
    bool Recognises(HttpRequest request);

    /// <summary>Answers the request completely, errors included.</summary>
    Task HandleAsync(HttpContext context);
}
