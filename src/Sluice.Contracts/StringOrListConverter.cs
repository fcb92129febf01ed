using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sluice.Contracts;

/// <summary>Reads a JSON string as a one-item list, or a list of strings; writes a list.</summary>
public sealed class StringOrListConverter : JsonConverter<List<string>>
{
    public override List<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String ? [reader.GetString()!] : ReadList(ref reader);

    public override void Write(Utf8JsonWriter writer, List<string> value, JsonSerializerOptions options) => WriteList(writer, value);

    internal static List<string> ReadList(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("expected a string or a list of strings");
        }
        var list = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException("expected a list of strings");
            }
            list.Add(reader.GetString()!);
        }
        return list;
    }

    internal static void WriteList(Utf8JsonWriter writer, List<string> value)
    {
        writer.WriteStartArray();
        foreach (var item in value)
        {
            writer.WriteStringValue(item);
        }
        writer.WriteEndArray();
    }
}
