using System.Text.Json;
using Sluice.Contracts;

namespace Sluice.Client.Tests;

public sealed class JsonModelTests
{
    [Fact]
    public void ClusterInfo_UnknownFields_IgnoredAndRoundTrips()
    {
        const string json = """
            {
              "id": "c-1", "name": "etl", "state": "TerminatedWithErrors",
              "stateChangeReason": { "code": "BootstrapFailure", "message": "exit 2", "severity": "high" },
              "keepAlive": true, "backend": "local",
              "instanceGroups": [ { "id": "g-1", "name": "master", "role": "Master", "requestedCount": 1, "gpu": 4 } ],
              "tags": { "team": "data" },
              "createdAt": "2026-01-02T03:04:05+00:00",
              "futureField": { "nested": [1, 2, 3] }
            }
            """;

        var cluster = JsonSerializer.Deserialize(json, SluiceJsonContext.Default.ClusterInfo)!;
        var again = JsonSerializer.Deserialize(JsonSerializer.Serialize(cluster, SluiceJsonContext.Default.ClusterInfo), SluiceJsonContext.Default.ClusterInfo)!;

        Assert.Equal("c-1", again.Id);
        Assert.Equal("BootstrapFailure", again.StateChangeReason!.Code);
        Assert.True(again.KeepAlive);
        Assert.Equal("master", Assert.Single(again.InstanceGroups).Name);
        Assert.Equal("data", again.Tags["team"]);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), again.CreatedAt);
        Assert.DoesNotContain("futureField", JsonSerializer.Serialize(again, SluiceJsonContext.Default.ClusterInfo), StringComparison.Ordinal);
    }

    [Fact]
    public void CreateJobRequest_BuiltRequest_RoundTripsCamelCaseWithoutNulls()
    {
        var request = new JobRequestBuilder().WithName("j").OnCluster("c-1").AddTask("t", "echo", 2).Build();

        var json = JsonSerializer.Serialize(request, SluiceJsonContext.Default.CreateJobRequest);
        var back = JsonSerializer.Deserialize(json, SluiceJsonContext.Default.CreateJobRequest)!;

        Assert.Contains("\"clusterId\":\"c-1\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("autoCluster", json, StringComparison.Ordinal);
        Assert.Equal(2, back.Dag!.Tasks!["t"].InstanceCount);
        Assert.Equal(json, JsonSerializer.Serialize(back, SluiceJsonContext.Default.CreateJobRequest));
    }
}
