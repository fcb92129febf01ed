using Sluice.Contracts;

namespace Sluice.Cli.Tests;

/// <summary>Mounts given in job and cluster files (BatchCompute spelling included) reach the server.</summary>
[Collection(ServerCollection.Name)]
public sealed class MountCommandTests(ServerFixture server)
{
    private static readonly SluiceJsonContext Json = SluiceJsonContext.Default;

    [Fact]
    public async Task JobSubmit_YamlWithMounts_TaskReadsAndWritesThroughTheLocalStore()
    {
        var bucket = Path.Combine(server.Root, "data", "objects", "cli-mounts");
        var run = Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(Path.Combine(bucket, run, "in"));
        File.WriteAllText(Path.Combine(bucket, run, "in", "words.txt"), "from the store\n");
        var file = server.WriteFile("mounted.yaml", $"""
            name: mounted
            mounts:
              entries:
                - source: oss://cli-mounts/{run}/in/
                  destination: in
                - source: oss://cli-mounts/{run}/out/
                  destination: out
                  writeSupport: true
            dag:
              tasks:
                copy:
                  commandLine: sh -c 'tr a-z A-Z < in/words.txt > out/upper.txt'
            """);

        var job = (await server.RunAsync("job", "submit", file, "--cluster", server.ClusterId, "--wait", "-o", "json")).ShouldExit(0).Json(Json.JobInfo);

        Assert.Equal("Finished", job.State);
        Assert.Equal(2, job.Mounts!.Entries!.Count);
        Assert.Equal("FROM THE STORE\n", File.ReadAllText(Path.Combine(bucket, run, "out", "upper.txt")));
    }

    [Fact]
    public async Task ClusterCreate_BatchComputeSpelledMounts_AreKept()
    {
        var file = server.WriteFile("mounted-cluster.json", """
            {"name": "mounted", "instanceGroups": [{"role": "Master", "instanceType": "g.small", "instanceCount": 1}],
             "Mounts": {"Entries": [{"Source": "nas://share/tools", "Destination": "tools", "WriteSupport": false}]}}
            """);

        var cluster = (await server.RunAsync("cluster", "create", "--file", file, "-o", "json")).ShouldExit(0).Json(Json.ClusterInfo);
        await server.RunAsync("cluster", "terminate", cluster.Id);

        var entry = Assert.Single(cluster.Mounts!.Entries!);
        Assert.Equal(("nas://share/tools/", "tools", false), (entry.Source, entry.Destination, entry.WriteSupport));
    }

    [Fact]
    public async Task JobSubmit_BadMountDestination_ExitsNonZeroNamingTheEntry()
    {
        var file = server.WriteFile("bad-mount.json", $$"""
            {"name": "bad", "clusterId": "{{server.ClusterId}}", "mounts": {"entries": [{"source": "oss://bucket/x/", "destination": "/etc"} ] },
             "dag": {"tasks": {"t": {"commandLine": "true"} } } }
            """);

        var result = await server.RunAsync("job", "submit", file);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(ErrorCodes.InvalidMountDestination, result.Stderr, StringComparison.Ordinal);
        Assert.Contains("mounts.entries[0].destination", result.Stderr, StringComparison.Ordinal);
    }
}
