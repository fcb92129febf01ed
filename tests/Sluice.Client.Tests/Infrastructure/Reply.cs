using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Sluice.Contracts;

namespace Sluice.Client.Tests.Infrastructure;

/// <summary>A scripted response.</summary>
public sealed record Reply(int Status, byte[] Body, string ContentType, Dictionary<string, string> Headers, bool FillRequestId = false)
{
    public static Reply Json<T>(T value, JsonTypeInfo<T> typeInfo, int status = 200) =>
        new(status, JsonSerializer.SerializeToUtf8Bytes(value, typeInfo), "application/json", []);

    /// <summary>An ErrorResponse whose requestId is the response's own.</summary>
    public static Reply Error(int status, string code, string message) =>
        new(status, JsonSerializer.SerializeToUtf8Bytes(new ErrorResponse { Code = code, Message = message, RequestId = "{requestId}" },
            SluiceJsonContext.Default.ErrorResponse), "application/json", [], FillRequestId: true);

    public static Reply Text(int status, string text) => new(status, Encoding.UTF8.GetBytes(text), "text/plain", []);

    public static Reply Empty(int status) => new(status, [], "application/octet-stream", []);

    public static Reply Bytes(byte[] data, Dictionary<string, string> headers) => new(200, data, "application/octet-stream", headers);
}
