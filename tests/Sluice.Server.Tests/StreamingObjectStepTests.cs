using System.Globalization;
using System.Text;
using Sluice.Client;
using Sluice.Contracts;
using Sluice.Server.Hosting;

namespace Sluice.Server.Tests;

/// <summary>A server whose bos:// scheme serves only mapped buckets (none are), so any bos:// bucket is unmapped.</summary>
public sealed class StreamingObjectFixture : ServerFixture
{
    protected override void Configure(SluiceServerOptions options) => options.ObjectStorage.Schemes["bos"] = "";
}

/// <summary>
/// Issue #5 item 6: a Streaming step whose input, output and cache file are s3:// URIs on the (local) object store,
/// through the HTTP API; map tasks run as worker processes on the nodes, their splits staged from the store.
/// </summary>
public sealed class StreamingObjectStepTests(StreamingObjectFixture server) : IClassFixture<StreamingObjectFixture>
{
    private SluiceClient Client => server.Client;

    private static string NewBucket() => "s3://streams-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task StreamingStep_InputOutputAndCacheFileOnTheStore_WritesPartFilesAndSuccess()
    {
        var bucket = NewBucket();
        await server.CreateBucketAsync(bucket);
        var (texts, expected) = StreamingStepTests.WordCorpus(5, ["red", "green", "blue", "cyan"], files: 3, lines: 300);
        for (var f = 0; f < texts.Count; f++)
        {
            await server.PutObjectAsync($"{bucket}/in/part{f}.txt", texts[f]);
        }
        await server.PutObjectAsync($"{bucket}/in/_SUCCESS", "");
        await server.PutObjectAsync($"{bucket}/code/mapper.py", StreamingStepTests.WordCountMapper);
        ClusterInfo cluster = await Client.CreateClusterAsync(StepTests.ThreeNodes("streaming-objects").KeepAlive().Build());

        AddStepsResponse added = await Client.AddStepsAsync(cluster.Id,
        [
            StepBuilder.StreamingStep("wordcount", "python3 mapper.py", "aggregate", input: $"{bucket}/in/", output: $"{bucket}/out/",
                cacheFiles: [$"{bucket}/code/mapper.py#mapper.py"], numReduceTasks: 2, arguments: ["-D", "mapreduce.job.maps=6"]),
        ]);
        var step = await Client.WaitForStepAsync(cluster.Id, added.StepIds[0], ServerFixture.Fast);

        Assert.True(step.State == StepStates.Completed, step.FailureDetails?.Message);
        Assert.Equal("", await server.ReadObjectAsync($"{bucket}/out/_SUCCESS"));
        var counts = new[] { await server.ReadObjectAsync($"{bucket}/out/part-00000"), await server.ReadObjectAsync($"{bucket}/out/part-00001") }
            .SelectMany(p => (p ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries)).Select(l => l.Split('\t'))
            .ToDictionary(f => f[0], f => long.Parse(f[1], CultureInfo.InvariantCulture));
        Assert.Equal(expected.OrderBy(p => p.Key), counts.OrderBy(p => p.Key));
        LogChunk controller = await Client.ReadStepLogAsync(cluster.Id, step.Id, StepLogKind.Controller);
        var placedMaps = Encoding.UTF8.GetString(controller.Data.Span).Split('\n').Count(l => l.Contains("_m_", StringComparison.Ordinal) && l.Contains("placed on node", StringComparison.Ordinal));
        Assert.True(placedMaps >= 3, $"{placedMaps} map task attempts placed on nodes"); // map tasks ran as worker processes on staged splits
        await Client.TerminateClusterAsync(cluster.Id);
    }

    [Fact]
    public async Task AddSteps_StreamingOnBadObjectUris_AreRejectedNamingTheUri()
    {
        var bucket = NewBucket();
        await server.CreateBucketAsync(bucket);
        await server.PutObjectAsync($"{bucket}/in.txt", "a\n");
        await server.PutObjectAsync($"{bucket}/done/part-00000", "earlier\n");
        ClusterInfo cluster = await Client.CreateClusterAsync(StepTests.ThreeNodes("streaming-bad-objects").KeepAlive().Build());

        var missingInput = await RejectAsync(cluster.Id, $"{bucket}/no-such-input.txt", $"{bucket}/o1/");
        var existingOutput = await RejectAsync(cluster.Id, $"{bucket}/in.txt", $"{bucket}/done/");
        var unmapped = await RejectAsync(cluster.Id, "bos://not-mapped-bucket/in.txt", $"{bucket}/o2/");
        var missingCache = await RejectAsync(cluster.Id, $"{bucket}/in.txt", $"{bucket}/o3/", $"{bucket}/code/gone.py#m.py");

        Assert.Equal((400, ErrorCodes.InputNotFound, true), (missingInput.StatusCode, missingInput.ErrorCode, missingInput.Message.Contains($"'{bucket}/no-such-input.txt' does not exist", StringComparison.Ordinal)));
        Assert.Equal((409, ErrorCodes.OutputAlreadyExists, true), (existingOutput.StatusCode, existingOutput.ErrorCode, existingOutput.Message.Contains($"'{bucket}/done/' already exists", StringComparison.Ordinal)));
        Assert.Equal((400, ErrorCodes.BucketNotMapped, true), (unmapped.StatusCode, unmapped.ErrorCode, unmapped.Message.Contains("bos://not-mapped-bucket/in.txt", StringComparison.Ordinal)));
        Assert.Equal((400, ErrorCodes.InputNotFound, true), (missingCache.StatusCode, missingCache.ErrorCode, missingCache.Message.Contains($"cacheFiles '{bucket}/code/gone.py' does not exist", StringComparison.Ordinal)));
        Assert.Empty(await Client.ListStepsAsync(cluster.Id).ToListAsync());
        Assert.Equal("earlier\n", await server.ReadObjectAsync($"{bucket}/done/part-00000"));
        await Client.TerminateClusterAsync(cluster.Id);
    }

    private async Task<SluiceServiceException> RejectAsync(string clusterId, string input, string output, string? cacheFile = null)
    {
        var error = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.AddStepsAsync(clusterId,
            [StepBuilder.StreamingStep("bad", "cat", input: input, output: output, cacheFiles: cacheFile is null ? null : [cacheFile])]));
        return error;
    }
}
