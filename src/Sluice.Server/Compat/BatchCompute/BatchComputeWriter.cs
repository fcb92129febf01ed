using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Sluice.Core.Model;

namespace Sluice.Server.Compat.BatchCompute;

/// <summary>Writes the values of BatchCompute responses in the exact forms the SDK parses.</summary>
internal static class BatchComputeWriter
{
    /// <summary>
    /// The SDK reads every key ending in <c>Time</c> with <c>%Y-%m-%dT%H:%M:%S.%fZ</c>; a value without the fractional
    /// seconds silently reads as None, so they are always written, six digits.
    /// </summary>
    public const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    public static void WriteTime(this Utf8JsonWriter json, string name, DateTimeOffset? at)
    {
        if (at is { } value)
        {
            json.WriteString(name, value.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    /// <summary>
    /// BatchCompute's OwnerId is a number (the SDK refuses a string). Sluice account ids are text, so the number is
    /// derived from the id: the first 53 bits of its SHA-256, stable and exact in any JSON reader.
    /// </summary>
    public static long OwnerNumber(string accountId) =>
        (long)(BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(accountId))) >> 11);

    /// <summary>Copies a kept JSON value, or, when there is none, {} (<paramref name="emptyObjectWhenMissing"/>) or nothing.</summary>
    public static void WriteKept(this Utf8JsonWriter json, string name, JsonElement? kept, bool emptyObjectWhenMissing)
    {
        if (kept is { ValueKind: not JsonValueKind.Null } value)
        {
            json.WritePropertyName(name);
            value.WriteTo(json);
        }
        else if (emptyObjectWhenMissing)
        {
            json.WriteStartObject(name);
            json.WriteEndObject();
        }
    }

    public static void WriteMetrics(this Utf8JsonWriter json, string name, InstanceCounts counts)
    {
        json.WriteStartObject(name);
        json.WriteNumber("WaitingCount", counts.Waiting);
        json.WriteNumber("RunningCount", counts.Running);
        json.WriteNumber("FinishedCount", counts.Finished);
        json.WriteNumber("FailedCount", counts.Failed);
        json.WriteNumber("StoppedCount", counts.Stopped);
        json.WriteEndObject();
    }

    /// <summary>The JSON text of a value without the indentation the SDK's dump adds.</summary>
    public static string Compact(JsonElement value)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            value.WriteTo(json);
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
