using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;

namespace Sluice.Server.Compat.S3;

/// <summary>Writes S3's XML responses and reads its XML request bodies.</summary>
internal static class S3Xml
{
    /// <summary>The namespace of S3's result documents.</summary>
    public const string Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

    private static readonly XmlWriterSettings Settings = new() { Encoding = new UTF8Encoding(false), Indent = false };

    /// <summary>A whole document; <paramref name="root"/> names the root element in S3's namespace, or null to let <paramref name="write"/> write it (errors have no namespace).</summary>
    public static byte[] Document(string? root, Action<XmlWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, Settings))
        {
            writer.WriteStartDocument();
            if (root is not null)
            {
                writer.WriteStartElement(root, Namespace);
            }
            write(writer);
            if (root is not null)
            {
                writer.WriteEndElement();
            }
            writer.WriteEndDocument();
        }
        return buffer.ToArray();
    }

    public static async Task WriteAsync(HttpContext context, byte[] body, int status = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/xml";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>S3's timestamp in XML: ISO 8601 with milliseconds, UTC.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Parses a request body (no DTDs, no external entities); MalformedXML when it is not XML.</summary>
    public static XElement Parse(byte[] body)
    {
        try
        {
            using var stream = new MemoryStream(body);
            using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            return XElement.Load(reader);
        }
        catch (XmlException e)
        {
            throw S3Errors.MalformedXml(e.Message);
        }
    }

    /// <summary>The child elements of that local name, whatever their namespace (clients send S3's or none).</summary>
    public static IEnumerable<XElement> Children(XElement element, string name) => element.Elements().Where(e => e.Name.LocalName == name);

    public static string? Child(XElement element, string name) => Children(element, name).FirstOrDefault()?.Value;
}
