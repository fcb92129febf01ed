using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Sluice.Contracts;

namespace Sluice.Server.Api;

/// <summary>Gives every request an id, sent back in the <c>x-sluice-request-id</c> header and in error bodies.</summary>
internal static class RequestIds
{
    private const string Key = "sluice.requestId";

    // Ids only have to be unique, not secret: a counter from a random start is unique within the process and
    // unlikely to repeat an earlier run's, and costs nothing next to a fresh random number per request.
    private static long _last = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(sizeof(long)));

    public static string Get(HttpContext context) => context.Items[Key] as string ?? "";

    public static Task Middleware(HttpContext context, RequestDelegate next)
    {
        var id = string.Create(16, Interlocked.Increment(ref _last), static (chars, value) => value.TryFormat(chars, out _, "x16"));
        context.Items[Key] = id;
        context.Response.Headers[SluiceHeaders.RequestId] = id;
        return next(context);
    }
}
