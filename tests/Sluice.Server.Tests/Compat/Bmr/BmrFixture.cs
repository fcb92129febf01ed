using System.Text.Json;
using Sluice.Server.Hosting;

namespace Sluice.Server.Tests.Compat.Bmr;

/// <summary>
/// A real server with the recording launchers of <see cref="ServerFixture"/> (hive and pig among them) and one for
/// hbase, which the manual's cluster asks for; the BMR tests reach it over HTTP with bce-auth-v1.
/// </summary>
public sealed class BmrFixture : ServerFixture
{
    protected override void Configure(SluiceServerOptions options)
    {
        // No step type runs hbase; the cluster only has to be able to provide it.
        options.Applications["hbase"] = new Core.ApplicationLauncher { Command = "/bin/true" };
    }

    internal BmrHttp Bmr() => new(Endpoint, Key.KeyId, Key.Secret);

    internal BmrHttp Bmr(Core.Model.AccessKey key) => new(Endpoint, key.KeyId, key.Secret);

    /// <summary>A new account with its own key (not the admin's), for isolation and exact listings.</summary>
    internal Task<Core.Model.AccessKey> NewAccountAsync(string name) =>
        SluiceServerHost.CreateAccountAsync(App, name + "-" + Guid.NewGuid().ToString("N")[..6], CancellationToken.None);

    internal async Task PutBytesAsync(string uri, byte[] bytes)
    {
        var location = Objects.Resolve(uri);
        using var content = new MemoryStream(bytes);
        await location.Store.PutAsync(location.Uri, content, CancellationToken.None);
    }
}

[CollectionDefinition(Name)]
public sealed class BmrCollection : ICollectionFixture<BmrFixture>
{
    public const string Name = "bmr";
}

/// <summary>Small helpers the BMR tests share: JSON bodies, error checks, waiting through get cluster / get step.</summary>
internal static class Bmr
{
    public static JsonElement Json(string body) => JsonDocument.Parse(body).RootElement.Clone();

    public static string Str(this JsonElement e, string name) => e.GetProperty(name).GetString() ?? "";

    /// <summary>The manual's cluster body (what BmrClient.create_cluster sends for it), with a small name and log URI.</summary>
    public static string ManualCluster(string name, string logUri, bool autoTerminate = false, string groups = DefaultGroups) => $$"""
        {"imageType": "hadoop", "imageVersion": "0.1.0", "instanceGroups": {{groups}},
         "applications": [{"name": "hive", "version": "0.13.0"}, {"name": "pig", "version": "0.11.0"}, {"name": "hbase", "version": "0.98.0"}],
         "autoTerminate": {{(autoTerminate ? "true" : "false")}}, "logUri": "{{logUri}}", "name": "{{name}}"}
        """;

    /// <summary>Two groups as instance_group() makes them (its defaults: rootDiskSizeInGB 40, rootDiskMediumType ssd, cds None).</summary>
    public const string DefaultGroups = """
        [{"type": "Master", "instanceCount": 1, "instanceType": "g.small", "rootDiskSizeInGB": 40, "rootDiskMediumType": "ssd", "cds": null, "name": "ig-master"},
         {"type": "Core", "instanceCount": 2, "instanceType": "g.small", "rootDiskSizeInGB": 40, "rootDiskMediumType": "ssd", "cds": null, "name": "ig-core"}]
        """;

    /// <summary>One small Master group: the cheapest cluster, for tests about the API rather than the work.</summary>
    public static string SmallCluster(string name) => $$"""
        {"imageType": "hadoop", "imageVersion": "1.0.0", "instanceGroups": [{"type": "Master", "instanceCount": 1, "instanceType": "g.small", "name": "m"}], "name": "{{name}}"}
        """;

    public static async Task<string> CreateAsync(BmrHttp http, string body, params (string, string)[] query)
    {
        var (status, text, _) = await http.SendAsync(HttpMethod.Post, "/v1/cluster", body, query);
        Assert.True(status == 201, $"{status}: {text}");
        return Json(text).Str("clusterId");
    }

    /// <summary>Polls get cluster until its BMR state is one of <paramref name="states"/>.</summary>
    public static async Task<JsonElement> WaitForClusterAsync(BmrHttp http, string clusterId, params string[] states)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var (status, text, _) = await http.SendAsync(HttpMethod.Get, $"/v1/cluster/{clusterId}");
            Assert.True(status == 200, $"{status}: {text}");
            var cluster = Json(text);
            var state = cluster.GetProperty("status").Str("state");
            if (states.Contains(state))
            {
                return cluster;
            }
            Assert.True(DateTime.UtcNow < deadline, $"cluster {clusterId} is still {state}, waiting for {string.Join('/', states)}");
            await Task.Delay(100);
        }
    }

    /// <summary>Polls get step until it has ended (Completed, Failed, Cancelled, Interrupted).</summary>
    public static async Task<JsonElement> WaitForStepAsync(BmrHttp http, string clusterId, string stepId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var (status, text, _) = await http.SendAsync(HttpMethod.Get, $"/v1/cluster/{clusterId}/step/{stepId}");
            Assert.True(status == 200, $"{status}: {text}");
            var step = Json(text);
            if (step.GetProperty("status").Str("state") is "Completed" or "Failed" or "Cancelled" or "Interrupted")
            {
                return step;
            }
            Assert.True(DateTime.UtcNow < deadline, $"step {stepId} is still {step.GetProperty("status").Str("state")}");
            await Task.Delay(100);
        }
    }

    /// <summary>Checks a BMR error: the status, the code, all three fields, and requestId equal to the x-bce-request-id header.</summary>
    public static JsonElement AssertError((int Status, string Body, HttpResponseMessage Response) answer, int status, string code)
    {
        Assert.True(answer.Status == status, $"expected {status} {code}, got {answer.Status}: {answer.Body}");
        var error = Json(answer.Body);
        Assert.Equal(code, error.Str("code"));
        Assert.False(string.IsNullOrWhiteSpace(error.Str("message")));
        var requestId = answer.Response.Headers.GetValues("x-bce-request-id").Single();
        Assert.Equal(requestId, error.Str("requestId"));
        Assert.Equal(3, error.EnumerateObject().Count());
        return error;
    }

    public static async Task TerminateAsync(BmrHttp http, string clusterId)
    {
        var (status, text, _) = await http.SendAsync(HttpMethod.Delete, $"/v1/cluster/{clusterId}");
        Assert.True(status == 200, $"{status}: {text}");
    }
}
