using Microsoft.AspNetCore.Http;

namespace Sluice.Server.Api;

/// <summary>
/// Headers every native API answer carries: it is never cached (answers are one account's, and a log or a state read
/// from a cache would be stale), and its media type is never sniffed (a log is served as octet-stream whatever it holds).
/// </summary>
internal static class ApiResponseHeaders
{
    public static Task Middleware(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.Headers.CacheControl = "no-store";
            context.Response.Headers.XContentTypeOptions = "nosniff";
        }
        return next(context);
    }
}
