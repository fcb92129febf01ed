using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Sluice.Server.Compat.BatchCompute;

/// <summary>Writes BatchCompute's successful answers: JSON bodies, <c>{"Id"}</c> for a create, <c>{}</c> for an action.</summary>
internal static class BatchComputeResponses
{
    public static async Task JsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        write(json);
        await json.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The answer to a create: 201 with the new id, 200 with the first one's for a repeated IdempotentToken.</summary>
    public static Task CreatedAsync(HttpContext context, string id, bool created) =>
        JsonAsync(context, created ? StatusCodes.Status201Created : StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteString("Id", id);
            json.WriteEndObject();
        });

    /// <summary>The answer to an action (stop, start, delete, update): the SDK reads only the status and request id.</summary>
    public static Task ActionAsync(HttpContext context, int status = StatusCodes.Status200OK) =>
        JsonAsync(context, status, json =>
        {
            json.WriteStartObject();
            json.WriteEndObject();
        });

    /// <summary>The IdempotentToken query parameter of a create, or null.</summary>
    public static string? IdempotentToken(HttpRequest request) =>
        request.Query["IdempotentToken"].ToString() is { Length: > 0 } token ? token : null;
}
