using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;
using Sluice.Contracts;
using Sluice.Core;

namespace Sluice.Server.Api;

/// <summary>
/// How an operation with a JSON body declares it. The Content-Type is checked by <see cref="Body"/>, not by routing:
/// routing drops an operation whose declared media types do not match, and then the catch-all fallback answers
/// 404 "no API operation" for a request that only has the wrong header (or none). So routing is told the operation
/// takes any type, the OpenAPI document is told it takes application/json, and the body reader answers 415.
/// </summary>
internal static class JsonBody
{
    private const string Json = "application/json";
    private const string Any = "*/*";

    public static RouteHandlerBuilder AcceptsJson<T>(this RouteHandlerBuilder builder) where T : notnull =>
        builder.Accepts<T>(Json, Any);

    /// <summary>Drops the routing-only <c>*/*</c> from the operation's request body in the OpenAPI document.</summary>
    public static void Describe(OpenApiOperation operation) => operation.RequestBody?.Content?.Remove(Any);

    /// <summary>
    /// Refuses a body that says it is not JSON (415 UnsupportedMediaType). A body without a Content-Type is read as
    /// JSON: the header adds nothing the parser does not check, and simple clients leave it out.
    /// </summary>
    public static void CheckContentType(HttpRequest request)
    {
        var contentType = request.ContentType;
        if (string.IsNullOrEmpty(contentType))
        {
            return;
        }
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media) || !media.MediaType.Equals(Json, StringComparison.OrdinalIgnoreCase))
        {
            throw new ServiceException(ErrorCodes.UnsupportedMediaType,
                $"{request.Method} {request.Path} takes a JSON body, not '{contentType}'; send Content-Type: {Json}");
        }
    }
}
