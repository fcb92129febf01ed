using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Sluice.Contracts;
using Sluice.Core;

namespace Sluice.Server.Compat.BatchCompute;

/// <summary>
/// Reads BatchCompute request bodies field by field with the types the SDK's descriptions declare, so that a wrong
/// type is refused with the field's path (InvalidParameter, 400) rather than guessed at.
/// </summary>
internal static class BatchComputeJson
{
    /// <summary>The body as a JSON object. The SDK sends application/json; the content type is not required.</summary>
    public static async Task<JsonDocument> ReadObjectAsync(HttpRequest request)
    {
        if (request.ContentLength is 0 || (request.ContentLength is null && !request.Body.CanSeek))
        {
            throw new ServiceException(ErrorCodes.MalformedRequest, "the request needs a JSON object body");
        }
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { MaxDepth = 32 }, request.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new ServiceException(ErrorCodes.MalformedRequest, $"the request body is not valid JSON: {e.Message}");
        }
        if (document.RootElement.ValueKind is var kind && kind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new ServiceException(ErrorCodes.MalformedRequest, $"the request body is JSON {kind}; send an object");
        }
        return document;
    }

    /// <summary>The member, or null when it is absent or JSON null.</summary>
    public static JsonElement? Member(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public static string? String(JsonElement obj, string name, string path) => Member(obj, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } v => v.GetString(),
        var v => throw Wrong(path, name, "a string", v.Value),
    };

    /// <summary>A string member, null when absent, JSON null or empty (the SDK sends "" for unset strings).</summary>
    public static string? NonEmptyString(JsonElement obj, string name, string path) =>
        String(obj, name, path) is { Length: > 0 } s ? s : null;

    public static bool? Bool(JsonElement obj, string name, string path) => Member(obj, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        var v => throw Wrong(path, name, "true or false", v.Value),
    };

    public static int? Int(JsonElement obj, string name, string path)
    {
        if (Member(obj, name) is not { } v)
        {
            return null;
        }
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i))
        {
            return i;
        }
        // The SDK's NUMBER takes floats: 3.0 is 3, 3.5 is not a count.
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue)
        {
            return (int)d;
        }
        throw Wrong(path, name, "a whole number", v);
    }

    public static double? Number(JsonElement obj, string name, string path) => Member(obj, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } v => v.GetDouble(),
        var v => throw Wrong(path, name, "a number", v.Value),
    };

    public static JsonElement? Object(JsonElement obj, string name, string path) => Member(obj, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Object } v => v,
        var v => throw Wrong(path, name, "an object", v.Value),
    };

    public static JsonElement? Array(JsonElement obj, string name, string path) => Member(obj, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Array } v => v,
        var v => throw Wrong(path, name, "a list", v.Value),
    };

    /// <summary>An object of strings (EnvVars, the mappings); numbers are taken as their text, as the SDK turns EnvVars values into strings.</summary>
    public static Dictionary<string, string>? StringMap(JsonElement obj, string name, string path)
    {
        if (Object(obj, name, path) is not { } map)
        {
            return null;
        }
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in map.EnumerateObject())
        {
            result[entry.Name] = entry.Value.ValueKind switch
            {
                JsonValueKind.String => entry.Value.GetString()!,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => entry.Value.GetRawText(),
                _ => throw Wrong($"{path}.{name}", entry.Name, "a string", entry.Value),
            };
        }
        return result;
    }

    /// <summary>Whether a value is absent or empty: null, "", false, 0, {} or [] — what the SDK sends for "not set".</summary>
    public static bool IsEmpty(JsonElement? value) => value switch
    {
        null => true,
        { ValueKind: JsonValueKind.Null or JsonValueKind.False or JsonValueKind.Undefined } => true,
        { ValueKind: JsonValueKind.String } v => v.GetString()!.Length == 0,
        { ValueKind: JsonValueKind.Number } v => v.GetDouble() == 0,
        { ValueKind: JsonValueKind.Object } v => v.EnumerateObject().All(p => IsEmpty(p.Value)),
        { ValueKind: JsonValueKind.Array } v => v.GetArrayLength() == 0,
        _ => false,
    };

    private static ServiceException Wrong(string path, string name, string expected, JsonElement value) =>
        new(ErrorCodes.InvalidParameter, string.Create(CultureInfo.InvariantCulture,
            $"{Join(path, name)} must be {expected}; it is JSON {value.ValueKind} {Shorten(value.GetRawText())}"));

    public static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Shorten(string raw) => raw.Length <= 40 ? raw : raw[..40] + "…";
}
