using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Sluice.Contracts;

namespace Sluice.Server.Api;

/// <summary>Gives every request an id, sent back in the <c>x-sluice-request-id</c> header and in error bodies.</summary>
internal static class RequestIds
{
    private const string Key = "sluice.requestId";

    public static string Get(HttpContext context) => context.Items[Key] as string ?? "";

    public static Task Middleware(HttpContext context, RequestDelegate next)
    {
        var id = RandomNumberGenerator.GetHexString(16, lowercase: true);
        context.Items[Key] = id;
        context.Response.Headers[SluiceHeaders.RequestId] = id;
        return next(context);
    }
}
