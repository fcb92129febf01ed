using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Sluice.Server.Api;

/// <summary>
/// Endpoint metadata: a query parameter the handler reads from the request itself (so ASP.NET Core cannot see it),
/// as the OpenAPI document describes it.
/// </summary>
/// <param name="Name">The parameter's name in the query string.</param>
/// <param name="Description">What it does, with its default when it has one.</param>
/// <param name="Type">Its JSON type (integer or string; an array for repeatable parameters).</param>
internal sealed record QueryParameter(string Name, string Description, JsonSchemaType Type)
{
    /// <summary>The value used when the parameter is absent.</summary>
    public JsonNode? Default { get; init; }

    /// <summary>The smallest accepted value of an integer parameter.</summary>
    public long? Minimum { get; init; }

    /// <summary>The largest accepted value of an integer parameter.</summary>
    public long? Maximum { get; init; }

    /// <summary>The accepted values of a string parameter (of each item, for an array).</summary>
    public IReadOnlyList<string>? Values { get; init; }

    public OpenApiParameter ToOpenApi()
    {
        var scalar = new OpenApiSchema
        {
            Type = Type == JsonSchemaType.Array ? JsonSchemaType.String : Type,
            Format = Type == JsonSchemaType.Integer ? (Maximum > int.MaxValue ? "int64" : "int32") : null,
            Minimum = Minimum?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Maximum = Maximum?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Enum = Values?.Select(v => (JsonNode)JsonValue.Create(v)).ToList(),
        };
        var schema = Type == JsonSchemaType.Array ? new OpenApiSchema { Type = JsonSchemaType.Array, Items = scalar } : scalar;
        schema.Default = Default;
        var parameter = new OpenApiParameter { Name = Name, In = ParameterLocation.Query, Description = Description, Required = false, Schema = schema };
        if (Type == JsonSchemaType.Array)
        {
            // state=A&state=B: each value its own pair (commas work too).
            parameter.Style = ParameterStyle.Form;
            parameter.Explode = true;
        }
        return parameter;
    }
}
