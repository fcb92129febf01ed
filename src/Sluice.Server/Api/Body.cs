using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Sluice.Contracts;
using Sluice.Core;

namespace Sluice.Server.Api;

/// <summary>Reads a JSON body with the source-generated contract; JSON errors surface as MalformedRequest.</summary>
internal static class Body
{
    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type) where T : class
    {
        if (request.ContentLength is 0)
        {
            throw new ServiceException(ErrorCodes.MalformedRequest, "the request needs a JSON body");
        }
        return await JsonSerializer.DeserializeAsync(request.Body, type, request.HttpContext.RequestAborted).ConfigureAwait(false)
            ?? throw new ServiceException(ErrorCodes.MalformedRequest, "the request body is JSON null; send an object");
    }
}
