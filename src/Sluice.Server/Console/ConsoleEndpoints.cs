using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Contracts;
using Sluice.Server.Api;

namespace Sluice.Server.Console;

/// <summary>
/// The web console (docs/console.md): <c>/</c> is its page and <c>/console/…</c> its scripts and styles. They are
/// static and unsigned; the page signs every <c>/v1</c> call itself with the access key the user typed, so the console
/// sees exactly what that key's account may see through the API and adds no way in of its own.
/// </summary>
internal static class ConsoleEndpoints
{
    // Nothing inline, nothing from elsewhere: the page's own scripts and styles, and calls to this server's API only.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapConsole(this IEndpointRouteBuilder app)
    {
        var assets = app.ServiceProvider.GetRequiredService<ConsoleAssets>();
        app.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], (HttpContext context) => Serve(context, assets, "index.html")).ExcludeFromDescription();
        app.MapMethods("/console/{**file}", [HttpMethods.Get, HttpMethods.Head], (string? file, HttpContext context) => Serve(context, assets, file ?? "")).ExcludeFromDescription();
        return app;
    }

    private static Task Serve(HttpContext context, ConsoleAssets assets, string name)
    {
        if (assets.Find(name) is not { } asset)
        {
            return ApiErrors.WriteAsync(context, ErrorCodes.NotFound, $"the console has no file '{name}'; open / for the console");
        }
        var response = context.Response;
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.XFrameOptions = "DENY";
        // Revalidated on every load, so a newer server's console is never mixed with an older one's cached scripts.
        response.Headers.CacheControl = "no-cache";
        response.Headers.ETag = asset.ETag;
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Content.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(asset.Content, context.RequestAborted).AsTask();
    }
}
