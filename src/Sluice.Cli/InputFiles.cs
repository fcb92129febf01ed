using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Sluice.Contracts;
using YamlDotNet.RepresentationModel;

namespace Sluice.Cli;

/// <summary>Reads request files written as JSON or YAML (same camelCase shape) into wire types.</summary>
internal static class InputFiles
{
    public static T Read<T>(string path, JsonTypeInfo<T> type) where T : class => Deserialize(path, ReadJson(path), type);

    /// <summary>Reads one object, or a list of them, from a JSON or YAML file.</summary>
    public static List<T> ReadOneOrList<T>(string path, JsonTypeInfo<T> one, JsonTypeInfo<List<T>> list) where T : class
    {
        var json = ReadJson(path);
        return json.TrimStart().StartsWith('[') ? Deserialize(path, json, list) : [Deserialize(path, json, one)];
    }

    private static T Deserialize<T>(string path, string json, JsonTypeInfo<T> type) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(json, type) ?? throw new UsageException($"{path} is empty");
        }
        catch (JsonException ex)
        {
            throw new UsageException($"{path} does not match the expected shape{(ex.Path is null ? "" : " at " + ex.Path)}: {ex.Message.Split(". ")[0]}");
        }
    }

    /// <summary>
    /// Reads steps: one step object, a list of them, or an add-steps request (<c>{"steps": [...]}</c>), from a JSON or
    /// YAML file, or given inline as JSON (text starting with <c>{</c> or <c>[</c>).
    /// </summary>
    public static List<StepConfig> ReadSteps(string pathOrJson)
    {
        var inline = pathOrJson.TrimStart().StartsWith('{') || pathOrJson.TrimStart().StartsWith('[');
        var json = inline ? pathOrJson : ReadJson(pathOrJson);
        var what = inline ? "the inline step" : pathOrJson;
        try
        {
            var node = JsonNode.Parse(json);
            List<StepConfig>? steps = node switch
            {
                JsonArray => node.Deserialize(SluiceJsonContext.Default.ListStepConfig),
                JsonObject o when o.ContainsKey("steps") => node.Deserialize(SluiceJsonContext.Default.AddStepsRequest)?.Steps,
                JsonObject => [node.Deserialize(SluiceJsonContext.Default.StepConfig)!],
                _ => null,
            };
            return steps is { Count: > 0 } ? steps : throw new UsageException($"{what} holds no step: give a step object or a list of them");
        }
        catch (JsonException ex)
        {
            throw new UsageException($"{what} does not match the step shape{(ex.Path is null ? "" : " at " + ex.Path)}: {ex.Message.Split(". ")[0]}");
        }
    }

    private static string ReadJson(string path)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"file '{path}' does not exist");
        }
        var text = File.ReadAllText(path);
        return LooksLikeJson(path, text) ? text : YamlToJson(path, text);
    }

    private static bool LooksLikeJson(string path, string text) =>
        path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || text.TrimStart().StartsWith('{') || text.TrimStart().StartsWith('[');

    private static string YamlToJson(string path, string text)
    {
        var yaml = new YamlStream();
        try
        {
            yaml.Load(new StringReader(text));
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new UsageException($"{path} is neither JSON nor valid YAML: line {ex.Start.Line}: {ex.Message}");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this, not a YamlException, on some malformed input (an unclosed flow sequence).
            throw new UsageException($"{path} is neither JSON nor valid YAML");
        }
        if (yaml.Documents.Count == 0)
        {
            throw new UsageException($"{path} is empty");
        }
        try
        {
            return Convert(yaml.Documents[0].RootNode)?.ToJsonString() ?? "null";
        }
        catch (InvalidCastException)
        {
            throw new UsageException($"{path} uses a YAML mapping key that is not a plain string");
        }
    }

    // YAML scalars become JSON numbers and booleans only when they look like them, so "007" stays a string only if quoted.
    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", Convert(kv.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(Convert).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value;
        if (scalar.Style is YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted or YamlDotNet.Core.ScalarStyle.Literal or YamlDotNet.Core.ScalarStyle.Folded)
        {
            return JsonValue.Create(value);
        }
        if (value is null or "" or "~" or "null")
        {
            return null;
        }
        if (value is "true" or "false")
        {
            return JsonValue.Create(value == "true");
        }
        if (long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }
        return JsonValue.Create(value);
    }
}
