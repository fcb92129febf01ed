using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Core.Ports;

namespace Sluice.Server.Tests;

/// <summary>
/// Issue #15: malformed, correctly signed requests over every operation the server maps get a 4xx, never a 5xx, and a
/// refused request creates nothing. The operations come from the server's own endpoint table, so an operation added
/// later is fuzzed too. Seeded: a failure names the seed and the request, and runs again the same way.
/// </summary>
public sealed class FuzzTests(ServerFixture server, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<ServerFixture>
{
    private const int Requests = 2400;

    private static readonly string[] WeirdStrings =
    [
        "", " ", "a\n", "\n", "..", "../..", "%00", "\u0000", "é", "日本", "🙂", "-1", "0", "99999999999999999999", "1e309",
        "null", "true", "[]", "{}", "djE6enp6eg", "djE6", "v1:", "c-", "j-", "s-", "x".PadRight(300, 'x'), "x".PadRight(5000, 'y'),
        "a b", "a/b", "a\\b", "a;b", "$(id)", "'", "\"", "<script>", "Running", "WAITING", "Finished", "NaN",
    ];

    // The parameters the API reads, and a few it does not.
    private static readonly string[] QueryNames = ["marker", "maxKeys", "state", "offset", "length", "marker", "maxKeys", "offset", "nextToken", "limit"];

    // Markers are base64 of "v1:<sort key>": broken ones of every kind.
    private static readonly string[] Markers = ["djE6enp6eg", "djE6", "djE", "v1:a", "=", "djE6LTE", "djE6OTk5OTk5OTk5OTk5OTk5OTk5OQ", "AAAA", "%%%", "djE6YQ=="];

    [Fact]
    public async Task EveryOperation_MalformedSignedRequests_AreAnswered4xxAndCreateNothing()
    {
        var seed = Environment.GetEnvironmentVariable("SLUICE_FUZZ_SEED") is { } seedText ? int.Parse(seedText, CultureInfo.InvariantCulture) : 15_2026;
        var random = new Random(seed);
        var operations = Operations();
        Assert.True(operations.Count >= 25, $"only {operations.Count} operations found in the endpoint table");
        var store = server.App.Services.GetRequiredService<IStore>();
        var account = server.Key.AccountId;
        // Real ids, so that requests get past the look-up to the parameters behind it.
        var job = await server.Client.CreateJobAsync(new Sluice.Client.JobRequestBuilder().WithName("fuzz-target").OnCluster(server.SharedClusterId)
            .AddTask("t", "echo fuzz", 2).Build());
        var (step, _) = await server.App.Services.GetRequiredService<Sluice.Core.Steps.StepService>().AddAsync(account, server.SharedClusterId,
            new Sluice.Contracts.AddStepsRequest { Steps = [new Sluice.Contracts.StepConfig { Name = "fuzz-target", Type = "Command", Properties = new() { CommandLine = "true" } }] },
            null, CancellationToken.None);
        var before = await ResourceIdsAsync(store, account);
        var existing = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["jobId"] = job.Value.Id,
            ["stepId"] = step[0].Id,
            ["clusterId"] = server.SharedClusterId,
            ["group"] = "core",
            ["taskName"] = "t",
            ["index"] = "0",
            ["stream"] = "stdout",
            ["log"] = "stdout",
        };
        var created = new HashSet<string>(StringComparer.Ordinal);
        var failures = new List<string>();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var statuses = new Dictionary<int, int>();

        for (var i = 0; i < Requests && failures.Count < 10; i++)
        {
            var (method, pattern) = operations[random.Next(operations.Count)];
            var path = FillPath(pattern, existing, random);
            var query = RandomQuery(random);
            var body = method is "POST" or "PUT" or "PATCH" || random.Next(10) == 0 ? RandomBody(pattern, random) : null;
            using var request = SignedHttp.Request(server.Endpoint, new HttpMethod(method), path + query, body, server.Key.KeyId, server.Key.Secret,
                tamper: body is not null && random.Next(8) == 0 ? m => m.Content!.Headers.ContentType = new("text/plain") : null);
            using var response = await http.SendAsync(request);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var text = await response.Content.ReadAsStringAsync();
            if (status >= 500)
            {
                failures.Add($"#{i} {method} {Shorten(path + query)} body={Shorten(body)} -> {status} {Shorten(text)}");
            }
            else if (status is >= 200 and < 300)
            {
                foreach (var id in IdsIn(text))
                {
                    created.Add(id);
                }
            }
            // Kestrel itself refuses a NUL in the path (400) and a target over its limit (414) before any of Sluice runs.
            else if (status >= 400 && !text.Contains("\"code\"", StringComparison.Ordinal) && status is not (404 or 405 or 414)
                && !path.Contains("%00", StringComparison.Ordinal))
            {
                failures.Add($"#{i} {method} {Shorten(path + query)} -> {status} without an error code: {Shorten(text)}");
            }
        }

        output.WriteLine($"seed {seed}, {operations.Count} operations; statuses {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");
        Assert.True(failures.Count == 0, $"seed {seed}:\n{string.Join('\n', failures)}");
        // Whatever exists now existed before or was named by a 2xx answer: no refused request left a row behind.
        var after = await ResourceIdsAsync(store, account);
        var unexplained = after.Except(before).Where(id => !created.Contains(id)).ToList();
        Assert.True(unexplained.Count == 0, $"seed {seed}: rows no 2xx answer created: {string.Join(", ", unexplained)}");
        Assert.True(statuses.Where(s => s.Key >= 400).Sum(s => s.Value) > Requests / 2,
            $"seed {seed}: most requests should be refused; statuses {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");
    }

    /// <summary>(method, route pattern) of every API operation, from the server's endpoint table.</summary>
    private List<(string Method, string Pattern)> Operations()
    {
        var sources = server.App.Services.GetRequiredService<IEnumerable<EndpointDataSource>>();
        var operations = new List<(string, string)>();
        foreach (var endpoint in sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            var pattern = endpoint.RoutePattern.RawText ?? "";
            if (!pattern.StartsWith("/v1", StringComparison.OrdinalIgnoreCase) && !pattern.StartsWith("v1", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])
            {
                operations.Add((method, "/" + pattern.TrimStart('/')));
            }
        }
        return operations;
    }

    private static string FillPath(string pattern, Dictionary<string, string> existing, Random random)
    {
        var builder = new StringBuilder();
        var start = 0;
        while (pattern.IndexOf('{', start) is var open and >= 0)
        {
            var close = pattern.IndexOf('}', open);
            builder.Append(pattern, start, open - start);
            var name = pattern[(open + 1)..close].Split(':')[0];
            var value = random.Next(4) > 0 && existing.TryGetValue(name, out var known) ? known : WeirdStrings[random.Next(WeirdStrings.Length)];
            builder.Append(Uri.EscapeDataString(value.Length == 0 ? "x" : value));
            start = close + 1;
        }
        builder.Append(pattern, start, pattern.Length - start);
        return builder.ToString().TrimEnd('/') is { Length: > 0 } path ? path : "/";
    }

    private static string RandomQuery(Random random)
    {
        if (random.Next(2) == 0)
        {
            return "";
        }
        var pairs = Enumerable.Range(0, random.Next(1, 4)).Select(_ =>
        {
            var name = QueryNames[random.Next(QueryNames.Length)];
            var value = name == "marker" && random.Next(2) == 0 ? Markers[random.Next(Markers.Length)] : WeirdStrings[random.Next(WeirdStrings.Length)];
            return $"{name}={Uri.EscapeDataString(value)}";
        });
        return "?" + string.Join('&', pairs);
    }

    /// <summary>A body that is broken in one of many ways: not JSON, the wrong JSON type, or a plausible request with a field gone wrong.</summary>
    private static string RandomBody(string pattern, Random random)
    {
        switch (random.Next(6))
        {
            case 0:
                return new[] { "", "{", "}", "[", "{\"a\":", "nul", "{\"name\":\"x\",}", "\u0000", "{\"a\":1}{\"b\":2}" }[random.Next(9)];
            case 1:
                return new[] { "null", "[]", "1", "\"text\"", "true", "[{}]" }[random.Next(6)];
            case 2:
                return new string('[', 2000) + new string(']', 2000);
            default:
                var node = PlausibleBody(pattern);
                Mutate(node, random, depth: 0);
                return node.ToJsonString();
        }
    }

    private static JsonNode PlausibleBody(string pattern) => pattern switch
    {
        _ when pattern.EndsWith("/steps", StringComparison.Ordinal) || pattern.EndsWith("/steps/", StringComparison.Ordinal) =>
            JsonNode.Parse("""{"steps":[{"name":"s","type":"Command","actionOnFailure":"Continue","properties":{"commandLine":"true"}}]}""")!,
        _ when pattern.Contains("/instanceGroups/", StringComparison.Ordinal) => JsonNode.Parse("""{"instanceCount":1}""")!,
        _ when pattern.StartsWith("/v1/jobs", StringComparison.Ordinal) =>
            JsonNode.Parse("""{"name":"fuzz","clusterId":"c-none","priority":1,"dag":{"tasks":{"t":{"commandLine":"true","instanceCount":1,"maxRetryCount":0,"timeout":5}},"dependencies":{}}}""")!,
        _ when pattern.StartsWith("/v1/clusters", StringComparison.Ordinal) =>
            JsonNode.Parse("""{"name":"fuzz","keepAlive":false,"terminationProtected":false,"instanceGroups":[{"name":"m","role":"Master","instanceType":"g.small","instanceCount":1}],"tags":{"k":"v"}}""")!,
        _ => JsonNode.Parse("""{"name":"fuzz","enabled":true,"count":1}""")!,
    };

    /// <summary>Breaks one field (recursively into objects and arrays): a wrong type, an extreme number, a weird string, null, or removal.</summary>
    private static void Mutate(JsonNode node, Random random, int depth)
    {
        switch (node)
        {
            case JsonObject obj when obj.Count > 0:
                var key = obj.Select(p => p.Key).ElementAt(random.Next(obj.Count));
                var child = obj[key];
                if (child is JsonObject or JsonArray && random.Next(3) > 0 && depth < 6)
                {
                    Mutate(child!, random, depth + 1);
                }
                else if (random.Next(6) == 0)
                {
                    obj.Remove(key);
                }
                else
                {
                    obj[key] = Replacement(random);
                }
                if (random.Next(5) == 0)
                {
                    obj[WeirdStrings[random.Next(WeirdStrings.Length)]] = Replacement(random);
                }
                break;
            case JsonArray array when array.Count > 0:
                var at = random.Next(array.Count);
                if (array[at] is JsonObject or JsonArray && random.Next(2) == 0 && depth < 6)
                {
                    Mutate(array[at]!, random, depth + 1);
                }
                else
                {
                    array[at] = Replacement(random);
                }
                break;
        }
    }

    private static JsonNode? Replacement(Random random) => random.Next(9) switch
    {
        0 => null,
        1 => JsonValue.Create(-1),
        2 => JsonValue.Create(long.MaxValue),
        3 => JsonValue.Create(1.5e300),
        4 => JsonValue.Create(random.Next(2) == 0),
        5 => new JsonArray(JsonValue.Create(WeirdStrings[random.Next(WeirdStrings.Length)])),
        6 => new JsonObject { ["x"] = WeirdStrings[random.Next(WeirdStrings.Length)] },
        7 => JsonValue.Create(int.MinValue),
        _ => JsonValue.Create(WeirdStrings[random.Next(WeirdStrings.Length)]),
    };

    private static async Task<HashSet<string>> ResourceIdsAsync(IStore store, string account)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        string? after = null;
        do
        {
            var page = await store.ListClustersAsync(account, null, after, 500, CancellationToken.None);
            foreach (var cluster in page.Items)
            {
                ids.Add(cluster.Id);
                string? stepsAfter = null;
                do
                {
                    var steps = await store.ListStepsAsync(account, cluster.Id, null, stepsAfter, 500, CancellationToken.None);
                    ids.UnionWith(steps.Items.Select(s => s.Id));
                    stepsAfter = steps.NextAfter;
                }
                while (stepsAfter is not null);
            }
            after = page.NextAfter;
        }
        while (after is not null);
        after = null;
        do
        {
            var page = await store.ListJobsAsync(account, null, after, 500, CancellationToken.None);
            ids.UnionWith(page.Items.Select(j => j.Id));
            after = page.NextAfter;
        }
        while (after is not null);
        return ids;
    }

    /// <summary>Every "id" string of a JSON answer (a created cluster, job or step names itself, a step list names each).</summary>
    private static IEnumerable<string> IdsIn(string text)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            yield break;
        }
        var pending = new Stack<JsonNode?>([root]);
        while (pending.Count > 0)
        {
            switch (pending.Pop())
            {
                case JsonObject obj:
                    foreach (var (name, value) in obj)
                    {
                        if (name is "id" or "jobId" or "clusterId" or "stepId" && value is JsonValue v && v.TryGetValue<string>(out var id))
                        {
                            yield return id;
                        }
                        pending.Push(value);
                    }
                    break;
                case JsonArray array:
                    foreach (var item in array)
                    {
                        pending.Push(item);
                    }
                    break;
            }
        }
    }

    private static string Shorten(string? text) => text is null ? "null" : text.Length <= 200 ? text : text[..200] + "…";

}
