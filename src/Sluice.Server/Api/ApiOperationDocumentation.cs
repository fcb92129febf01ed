using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;
using Sluice.Contracts;

namespace Sluice.Server.Api;

/// <summary>
/// Completes each /v1 operation of the OpenAPI document from the endpoint's metadata (<see cref="ApiDocumentation"/>):
/// descriptions of its path parameters, the query parameters its handler reads, and one response per error status
/// with the codes that come with it (in the description and as <c>x-error-codes</c>).
/// </summary>
internal sealed class ApiOperationDocumentation : IOpenApiOperationTransformer, IOpenApiDocumentTransformer
{
    public const string ErrorSchema = nameof(ErrorResponse);
    public const string ErrorCodesExtension = "x-error-codes";

    /// <summary>Every signed operation can answer these: the signature check, and a server that fails or lost its database.</summary>
    private static readonly string[] EveryOperation =
    [
        ErrorCodes.MissingAuthentication, ErrorCodes.InvalidAccessKeyId, ErrorCodes.SignatureDoesNotMatch, ErrorCodes.RequestExpired,
        ErrorCodes.InvalidRegion, ErrorCodes.InternalError, ErrorCodes.StoreUnavailable,
    ];

    /// <summary>A changing request (POST, PUT, PATCH, DELETE) is refused when its signature was seen before.</summary>
    private static readonly string[] Changing = [ErrorCodes.ReplayedRequest];

    /// <summary>An operation with a JSON body (<see cref="Body"/>, <see cref="JsonBody"/>, the size limit).</summary>
    private static readonly string[] WithBody = [ErrorCodes.MalformedRequest, ErrorCodes.RequestTooLarge, ErrorCodes.UnsupportedMediaType];

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        JsonBody.Describe(operation);
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        foreach (var parameter in operation.Parameters ?? [])
        {
            if (parameter is OpenApiParameter { In: ParameterLocation.Path } path && path.Name is { } name)
            {
                path.Description ??= ApiDocumentation.PathParameters.GetValueOrDefault(name);
                if (ApiDocumentation.PathParameterValues.TryGetValue(name, out var values) && path.Schema is OpenApiSchema schema)
                {
                    schema.Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))];
                }
            }
        }
        foreach (var query in metadata.OfType<QueryParameter>())
        {
            (operation.Parameters ??= []).Add(query.ToOpenApi());
        }

        var method = context.Description.HttpMethod ?? "GET";
        var codes = EveryOperation
            .Concat(HttpMethods.IsGet(method) ? [] : Changing)
            .Concat(operation.RequestBody is null ? [] : WithBody)
            .Concat(metadata.OfType<ErrorCodesMetadata>().SelectMany(m => m.Codes))
            .Distinct(StringComparer.Ordinal);
        operation.Responses ??= [];
        foreach (var status in codes.GroupBy(ApiErrors.StatusOf).OrderBy(g => g.Key))
        {
            var names = status.Order(StringComparer.Ordinal).ToList();
            operation.Responses[status.Key.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = $"{ReasonPhrases.GetReasonPhrase(status.Key)}: {string.Join(", ", names)} (the error body's code).",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = new OpenApiSchemaReference(ErrorSchema, context.Document) },
                },
                Extensions = new Dictionary<string, IOpenApiExtension>
                {
                    [ErrorCodesExtension] = new JsonNodeExtension(new JsonArray([.. names.Select(n => (JsonNode)JsonValue.Create(n))])),
                },
            };
        }
        return Task.CompletedTask;
    }

    /// <summary>Adds the error body's schema, which the error responses refer to; drops the servers (the port is this run's).</summary>
    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Servers?.Clear();
        document.AddComponent(ErrorSchema, await context.GetOrCreateSchemaAsync(typeof(ErrorResponse), cancellationToken: cancellationToken).ConfigureAwait(false));
    }
}
