using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Sluice.Contracts;
using Sluice.Core;

namespace Sluice.Server.Api;

/// <summary>Reads a JSON body with the source-generated contract; JSON errors surface as MalformedRequest.</summary>
/// <remarks>
/// The body is deserialised from the request stream (which the signature check has already buffered, to a
/// temporary file beyond 30 KiB), never copied whole into memory. One thing would still make memory grow with the
/// body: the serializer holds a whole JSON value in one buffer, doubling it until the value fits, and those buffers
/// go back to the shared array pool, which keeps them. A 40 MB string would leave 64 MiB arrays behind on every
/// thread that parsed one. So a body larger than <see cref="MaxValueBytes"/> is first scanned with a buffer of that
/// size, and a single value longer than that is refused before the serializer sees it; no field accepts as much.
/// </remarks>
internal static class Body
{
    /// <summary>The longest single JSON value (a string, a number) a request may hold: 1 MiB.</summary>
    public const int MaxValueBytes = 1 << 20;

    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type) where T : class
    {
        JsonBody.CheckContentType(request);
        if (request.ContentLength is 0)
        {
            throw new ServiceException(ErrorCodes.MalformedRequest, "the request needs a JSON body");
        }
        var ct = request.HttpContext.RequestAborted;
        var body = request.Body;
        if (body.CanSeek && body.Length > MaxValueBytes)
        {
            await CheckValueSizesAsync(body, ct).ConfigureAwait(false);
            body.Position = 0;
        }
        return await JsonSerializer.DeserializeAsync(body, type, ct).ConfigureAwait(false)
            ?? throw new ServiceException(ErrorCodes.MalformedRequest, "the request body is JSON null; send an object");
    }

    private static async Task CheckValueSizesAsync(Stream body, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxValueBytes);
        try
        {
            var state = new JsonReaderState();
            var filled = 0;
            long offset = 0;
            while (true)
            {
                if (filled == buffer.Length)
                {
                    throw new ServiceException(ErrorCodes.MalformedRequest,
                        $"the request body has a JSON value longer than {MaxValueBytes >> 20} MiB at byte {offset}; no field takes that much — put large data in an object and pass its URI");
                }
                var read = await body.ReadAsync(buffer.AsMemory(filled), ct).ConfigureAwait(false);
                filled += read;
                var consumed = Scan(buffer.AsSpan(0, filled), isFinal: read == 0, ref state);
                if (read == 0)
                {
                    return;
                }
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
                offset += consumed;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Reads the tokens the buffer holds completely; returns how many bytes they took. Invalid JSON throws a JsonException.
    private static int Scan(ReadOnlySpan<byte> data, bool isFinal, ref JsonReaderState state)
    {
        var reader = new Utf8JsonReader(data, isFinal, state);
        while (reader.Read())
        {
        }
        state = reader.CurrentState;
        return (int)reader.BytesConsumed;
    }
}
