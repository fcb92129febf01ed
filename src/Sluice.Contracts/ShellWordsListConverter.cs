using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sluice.Contracts;

/// <summary>Reads a JSON string as words split the way a POSIX shell splits them (quotes, backslashes), or a list of strings.</summary>
public sealed class ShellWordsListConverter : JsonConverter<List<string>>
{
    public override List<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String ? Split(reader.GetString()!) : StringOrListConverter.ReadList(ref reader);

    public override void Write(Utf8JsonWriter writer, List<string> value, JsonSerializerOptions options) => StringOrListConverter.WriteList(writer, value);

    /// <summary>Splits like <c>sh</c> does, without expansions: blanks separate words, quotes and backslashes group them.</summary>
    /// <exception cref="JsonException">A quote is not closed.</exception>
    public static List<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is ' ' or '\t' or '\n' or '\r')
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
                continue;
            }
            inWord = true;
            if (c == '\\' && i + 1 < text.Length)
            {
                word.Append(text[++i]);
            }
            else if (c == '\'')
            {
                var close = text.IndexOf('\'', i + 1);
                if (close < 0)
                {
                    throw new JsonException($"unclosed ' in: {text}");
                }
                word.Append(text, i + 1, close - i - 1);
                i = close;
            }
            else if (c == '"')
            {
                i++;
                while (i < text.Length && text[i] != '"')
                {
                    // Inside double quotes a backslash escapes only these, as in sh.
                    if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\' or '$' or '`')
                    {
                        i++;
                    }
                    word.Append(text[i++]);
                }
                if (i >= text.Length)
                {
                    throw new JsonException($"unclosed \" in: {text}");
                }
            }
            else
            {
                word.Append(c);
            }
        }
        if (inWord)
        {
            words.Add(word.ToString());
        }
        return words;
    }
}
