using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using Microsoft.AspNetCore.Http;

namespace Sluice.Server.Compat.Emr;

/// <summary>
/// Writes an operation's result, or an error, in the caller's protocol. Results are built once as a JSON tree (with
/// timestamps as epoch seconds, as JSON 1.1 sends them); the Query protocol writes the same tree as XML, lists as
/// <c>member</c> elements and every <c>…DateTime</c> as ISO 8601, the shapes boto 2's SAX handlers walk.
/// </summary>
internal static class EmrOutput
{
    public const string RequestIdHeader = "x-amzn-RequestId";
    private const string JsonContentType = "application/x-amz-json-1.1";
    private const string XmlNamespace = "http://elasticmapreduce.amazonaws.com/doc/2009-03-31";
    private static readonly XmlWriterSettings XmlSettings = new() { Encoding = new UTF8Encoding(false) };

    /// <summary>A timestamp as JSON 1.1 carries it.</summary>
    public static JsonNode? Time(DateTimeOffset? time) => time is { } t ? JsonValue.Create(t.ToUnixTimeMilliseconds() / 1000.0) : null;

    public static async Task WriteResultAsync(HttpContext context, EmrProtocol protocol, string operation, JsonObject? result, string requestId)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.Headers[RequestIdHeader] = requestId;
        if (protocol == EmrProtocol.Json)
        {
            response.ContentType = JsonContentType;
            await WriteJsonAsync(response, result ?? []).ConfigureAwait(false);
            return;
        }
        response.ContentType = "text/xml";
        var buffer = new MemoryStream();
        using (var xml = XmlWriter.Create(buffer, XmlSettings))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement(null, operation + "Response", XmlNamespace);
            if (result is { Count: > 0 })
            {
                xml.WriteStartElement(null, operation + "Result", null);
                WriteXmlMembers(xml, result);
                xml.WriteEndElement();
            }
            xml.WriteStartElement(null, "ResponseMetadata", null);
            xml.WriteElementString(null, "RequestId", null, requestId);
            xml.WriteEndElement();
            xml.WriteEndElement();
        }
        await WriteBytesAsync(response, buffer).ConfigureAwait(false);
    }

    public static async Task WriteErrorAsync(HttpContext context, EmrProtocol protocol, EmrException error, string requestId)
    {
        var response = context.Response;
        response.StatusCode = error.Status;
        response.Headers[RequestIdHeader] = requestId;
        var type = error.TypeFor(protocol);
        if (protocol == EmrProtocol.Json)
        {
            response.ContentType = JsonContentType;
            await WriteJsonAsync(response, new JsonObject { ["__type"] = type, ["message"] = error.Message }).ConfigureAwait(false);
            return;
        }
        response.ContentType = "text/xml";
        var buffer = new MemoryStream();
        using (var xml = XmlWriter.Create(buffer, XmlSettings))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement(null, "ErrorResponse", XmlNamespace);
            xml.WriteStartElement(null, "Error", null);
            xml.WriteElementString(null, "Type", null, error.Fault);
            xml.WriteElementString(null, "Code", null, type);
            xml.WriteElementString(null, "Message", null, error.Message);
            xml.WriteEndElement();
            xml.WriteElementString(null, "RequestId", null, requestId);
            xml.WriteEndElement();
        }
        await WriteBytesAsync(response, buffer).ConfigureAwait(false);
    }

    private static async Task WriteJsonAsync(HttpResponse response, JsonObject body)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            body.WriteTo(writer);
        }
        await WriteBytesAsync(response, buffer).ConfigureAwait(false);
    }

    private static Task WriteBytesAsync(HttpResponse response, MemoryStream buffer)
    {
        response.ContentLength = buffer.Length;
        return response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length)).AsTask();
    }

    private static void WriteXmlMembers(XmlWriter xml, JsonObject obj)
    {
        foreach (var (name, value) in obj)
        {
            if (value is not null)
            {
                WriteXml(xml, name, value);
            }
        }
    }

    private static void WriteXml(XmlWriter xml, string name, JsonNode value)
    {
        switch (value)
        {
            case JsonObject obj:
                xml.WriteStartElement(null, name, null);
                WriteXmlMembers(xml, obj);
                xml.WriteEndElement();
                break;
            case JsonArray array:
                xml.WriteStartElement(null, name, null);
                foreach (var item in array)
                {
                    if (item is not null)
                    {
                        WriteXml(xml, "member", item);
                    }
                }
                xml.WriteEndElement();
                break;
            default:
                xml.WriteElementString(null, name, null, Text(name, (JsonValue)value));
                break;
        }
    }

    private static string Text(string name, JsonValue value) => value.GetValueKind() switch
    {
        JsonValueKind.String => value.GetValue<string>(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number when name.EndsWith("DateTime", StringComparison.Ordinal) =>
            DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(value.GetValue<double>() * 1000)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        _ => value.ToJsonString(),
    };
}
