using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sluice.Server.Compat.Emr;

/// <summary>
/// Reads an operation's parameters from the one tree both protocols are parsed into: JSON as sent, Query parameters
/// (<c>Steps.member.1.HadoopJarStep.Args.member.2</c>) as objects and arrays of strings. So every reader takes a
/// number or a boolean either typed (JSON) or as text (Query).
/// </summary>
internal static class EmrInput
{
    public static string? String(JsonNode? node, string field) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.ToJsonString(),
        _ => throw EmrException.Invalid($"{field} must be a string"),
    };

    public static string RequireString(JsonNode? node, string field) =>
        String(node, field) is { Length: > 0 } value ? value : throw EmrException.Invalid($"{field} is required");

    public static int? Int(JsonNode? node, string field)
    {
        if (node is null)
        {
            return null;
        }
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var number))
        {
            return number;
        }
        return String(node, field) is { } text && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : throw EmrException.Invalid($"{field} must be a whole number");
    }

    public static long? Long(JsonNode? node, string field)
    {
        if (node is null)
        {
            return null;
        }
        return String(node, field) is { } text && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : throw EmrException.Invalid($"{field} must be a whole number");
    }

    public static bool? Bool(JsonNode? node, string field) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.True => true,
        JsonValue v when v.GetValueKind() == JsonValueKind.False => false,
        _ => String(node, field)?.ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => throw EmrException.Invalid($"{field} must be true or false"),
        },
    };

    /// <summary>A timestamp: epoch seconds (JSON) or ISO 8601 text (Query).</summary>
    public static DateTimeOffset? Time(JsonNode? node, string field)
    {
        if (node is null)
        {
            return null;
        }
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
        {
            return DateTimeOffset.FromUnixTimeMilliseconds((long)(v.GetValue<double>() * 1000));
        }
        var text = String(node, field);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000));
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw EmrException.Invalid($"{field} '{text}' is not a timestamp");
    }

    public static IReadOnlyList<JsonNode?> List(JsonNode? node, string field) => node switch
    {
        null => [],
        JsonArray array => [.. array],
        _ => throw EmrException.Invalid($"{field} must be a list"),
    };

    public static List<string> Strings(JsonNode? node, string field) =>
        [.. List(node, field).Select((n, i) => String(n, $"{field}[{i}]") ?? "")];

    public static JsonObject? Object(JsonNode? node, string field) => node switch
    {
        null => null,
        JsonObject o => o,
        _ => throw EmrException.Invalid($"{field} must be a structure"),
    };

    /// <summary>
    /// The Query API's parameters as a tree: <c>a.b</c> nests, <c>a.member.N</c> is item N (from 1) of list a.
    /// <c>Action</c>, <c>Version</c> and signature parameters are not operation input.
    /// </summary>
    public static JsonObject FromQuery(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var root = new JsonObject();
        foreach (var (key, value) in parameters)
        {
            if (key is "Action" or "Version" || key.StartsWith("X-Amz-", StringComparison.Ordinal) || key.Length == 0)
            {
                continue;
            }
            Set(root, key.Split('.'), value);
        }
        return root;
    }

    private static void Set(JsonObject root, string[] parts, string value)
    {
        JsonNode container = root;
        for (var i = 0; i < parts.Length; i++)
        {
            var name = parts[i];
            var isList = i + 2 < parts.Length && parts[i + 1] == "member" && int.TryParse(parts[i + 2], NumberStyles.None, CultureInfo.InvariantCulture, out _);
            if (container is not JsonObject obj)
            {
                throw EmrException.Invalid($"parameter {string.Join('.', parts)} does not fit the others given");
            }
            if (isList)
            {
                var index = int.Parse(parts[i + 2], CultureInfo.InvariantCulture) - 1;
                if (index is < 0 or > 10_000)
                {
                    throw EmrException.Invalid($"parameter {string.Join('.', parts)}: member numbers start at 1");
                }
                if (obj[name] is not JsonArray array)
                {
                    array = [];
                    obj[name] = array;
                }
                while (array.Count <= index)
                {
                    array.Add(null);
                }
                i += 2;
                if (i == parts.Length - 1)
                {
                    array[index] = value;
                    return;
                }
                container = array[index] ??= new JsonObject();
                continue;
            }
            if (i == parts.Length - 1)
            {
                obj[name] = value;
                return;
            }
            container = obj[name] ??= new JsonObject();
        }
    }
}
