using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Sluice.Contracts;
using Sluice.Server.Api;

namespace Sluice.Server.Tests;

/// <summary>
/// Issue #19: the generated OpenAPI document describes every parameter and every error of every /v1 operation, so the
/// next endpoint cannot leave them out.
/// </summary>
[Collection(ServerCollection.Name)]
public partial class OpenApiDocumentTests(ServerFixture server)
{
    private static readonly HttpClient Http = new();

    /// <summary>A path parameter names a resource; an operation that takes it answers 404 with that resource's code.</summary>
    private static readonly Dictionary<string, string> NotFoundCodes = new(StringComparer.Ordinal)
    {
        ["clusterId"] = ErrorCodes.ClusterNotFound,
        ["stepId"] = ErrorCodes.StepNotFound,
        ["group"] = ErrorCodes.InstanceGroupNotFound,
        ["jobId"] = ErrorCodes.JobNotFound,
        ["taskName"] = ErrorCodes.TaskNotFound,
        ["index"] = ErrorCodes.InstanceNotFound,
        ["accessKeyId"] = ErrorCodes.AccessKeyNotFound,
        ["accountId"] = ErrorCodes.AccountNotFound,
    };

    private static readonly HashSet<string> KnownCodes = [.. typeof(ErrorCodes).GetFields().Select(f => (string)f.GetValue(null)!)];

    [Fact]
    public async Task OpenApiDocument_EveryOperation_DescribesItsParametersAndErrors()
    {
        var document = (await Http.GetFromJsonAsync<JsonObject>(new Uri(server.Endpoint, "/openapi/v1.json")))!;
        var problems = new List<string>();
        var operations = 0;
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            if (!path.StartsWith("/v1/", StringComparison.Ordinal))
            {
                continue;
            }
            foreach (var (method, operationNode) in item!.AsObject())
            {
                operations++;
                problems.AddRange(Check(path, method, operationNode!.AsObject()));
            }
        }

        Assert.True(operations >= 30, $"only {operations} /v1 operations in the document");
        Assert.True(problems.Count == 0, "the OpenAPI document is incomplete:\n" + string.Join('\n', problems));
    }

    [Fact]
    public async Task OpenApiDocument_ListingsAndLogs_GiveTheServersDefaultsAndLimits()
    {
        var document = (await Http.GetFromJsonAsync<JsonObject>(new Uri(server.Endpoint, "/openapi/v1.json")))!;

        var maxKeys = Parameter(document, "/v1/jobs", "get", "maxKeys");
        Assert.Equal(Core.Limits.DefaultPageSize, (int)maxKeys["schema"]!["default"]!);
        Assert.Equal("1", maxKeys["schema"]!["minimum"]!.ToString());
        Assert.Equal(Core.Limits.MaxPageSize.ToString(System.Globalization.CultureInfo.InvariantCulture), maxKeys["schema"]!["maximum"]!.ToString());
        var state = Parameter(document, "/v1/jobs", "get", "state");
        Assert.Equal(["Waiting", "Running", "Finished", "Failed", "Stopped"], state["schema"]!["items"]!["enum"]!.AsArray().Select(v => (string)v!));
        var length = Parameter(document, "/v1/clusters/{clusterId}/steps/{stepId}/logs/{log}", "get", "length");
        Assert.Equal(LogResponses.MaxRead.ToString(System.Globalization.CultureInfo.InvariantCulture), length["schema"]!["maximum"]!.ToString());
        var terminate = document["paths"]!["/v1/clusters/{clusterId}/terminate"]!["post"]!["responses"]!["409"]!;
        Assert.Contains(ErrorCodes.TerminationProtected, terminate[ApiOperationDocumentation.ErrorCodesExtension]!.AsArray().Select(c => (string)c!));
        Assert.NotNull(document["components"]!["schemas"]![nameof(ErrorResponse)]);
    }

    private static JsonObject Parameter(JsonObject document, string path, string method, string name) =>
        document["paths"]![path]![method]!["parameters"]!.AsArray().Single(p => (string)p!["name"]! == name)!.AsObject();

    private static IEnumerable<string> Check(string path, string method, JsonObject operation)
    {
        var where = $"{method.ToUpperInvariant()} {path}";
        var parameters = operation["parameters"]?.AsArray().Select(p => p!.AsObject()).ToList() ?? [];
        foreach (var parameter in parameters)
        {
            var name = (string?)parameter["name"];
            if (string.IsNullOrWhiteSpace((string?)parameter["description"]))
            {
                yield return $"{where}: parameter '{name}' has no description";
            }
            if (parameter["schema"]?["type"] is null)
            {
                yield return $"{where}: parameter '{name}' has no type";
            }
        }
        var inPath = PathParameter().Matches(path).Select(m => m.Groups[1].Value).ToList();
        foreach (var name in inPath.Where(n => !parameters.Any(p => (string?)p["name"] == n && (string?)p["in"] == "path")))
        {
            yield return $"{where}: path parameter '{name}' is not described";
        }
        var id = (string?)operation["operationId"] ?? "";
        // Two listings are one page by design: an account's keys (at most 10) and the server's image catalog.
        if (id.StartsWith("List", StringComparison.Ordinal) && id is not ("ListAccessKeys" or "ListImages"))
        {
            foreach (var name in new[] { "marker", "maxKeys" }.Where(n => !parameters.Any(p => (string?)p["name"] == n)))
            {
                yield return $"{where}: a listing without its '{name}' parameter";
            }
        }
        if (path.Contains("/logs/", StringComparison.Ordinal))
        {
            foreach (var name in new[] { "offset", "length" }.Where(n => !parameters.Any(p => (string?)p["name"] == n)))
            {
                yield return $"{where}: a log read without its '{name}' parameter";
            }
        }

        var responses = operation["responses"]?.AsObject() ?? [];
        var errors = new Dictionary<int, List<string>>();
        foreach (var (status, response) in responses)
        {
            var code = int.Parse(status, System.Globalization.CultureInfo.InvariantCulture);
            if (code < 400)
            {
                continue;
            }
            var codes = response?[ApiOperationDocumentation.ErrorCodesExtension]?.AsArray().Select(c => (string)c!).ToList() ?? [];
            errors[code] = codes;
            if (codes.Count == 0)
            {
                yield return $"{where}: response {status} names no error codes";
            }
            if (response?["content"]?["application/json"]?["schema"]?["$ref"] is null)
            {
                yield return $"{where}: response {status} has no error body schema";
            }
            foreach (var name in codes)
            {
                if (!KnownCodes.Contains(name))
                {
                    yield return $"{where}: response {status} names '{name}', which is no ErrorCodes constant";
                }
                else if (ApiErrors.StatusOf(name) != code)
                {
                    yield return $"{where}: response {status} names '{name}', which the server answers with {ApiErrors.StatusOf(name)}";
                }
            }
        }
        foreach (var (status, code) in new[] { (401, ErrorCodes.MissingAuthentication), (403, ErrorCodes.SignatureDoesNotMatch), (500, ErrorCodes.InternalError) })
        {
            if (!errors.GetValueOrDefault(status, []).Contains(code))
            {
                yield return $"{where}: no {status} {code} response";
            }
        }
        if (operation["requestBody"] is not null && !errors.GetValueOrDefault(400, []).Contains(ErrorCodes.MalformedRequest))
        {
            yield return $"{where}: takes a body but documents no 400 MalformedRequest";
        }
        foreach (var name in inPath.Where(NotFoundCodes.ContainsKey))
        {
            if (!errors.GetValueOrDefault(404, []).Contains(NotFoundCodes[name]))
            {
                yield return $"{where}: takes {{{name}}} but documents no 404 {NotFoundCodes[name]}";
            }
        }
    }

    [GeneratedRegex(@"\{([^}:]+)")]
    private static partial Regex PathParameter();
}
