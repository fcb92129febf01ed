using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Client;
using Sluice.Contracts;
using Sluice.Core.ObjectStorage;

namespace Sluice.Server.Tests;

/// <summary>Steps whose jar lives on the object store (here the local one): fetched before launch, checked at add time.</summary>
[Collection(ServerCollection.Name)]
public class StepObjectFileTests(ServerFixture server)
{
    private SluiceClient Client => server.Client;

    private ObjectStoreResolver Objects => server.App.Services.GetRequiredService<ObjectStoreResolver>();

    private async Task<string> BucketAsync(string scheme)
    {
        var uri = $"{scheme}://steps-{Guid.NewGuid().ToString("N")[..12]}";
        var location = Objects.Resolve(uri);
        await location.Store.CreateBucketAsync(location.Uri, CancellationToken.None);
        return uri;
    }

    private async Task PutFileAsync(string uri, string path)
    {
        var location = Objects.Resolve(uri);
        await using var content = File.OpenRead(path);
        await location.Store.PutAsync(location.Uri, content, CancellationToken.None);
    }

    [Fact]
    public async Task JavaStep_JarOnAnS3Uri_IsFetchedAndRuns()
    {
        var jar = StepApplicationTests.BuildJar(server.NewSharedDirectory());
        var bucket = await BucketAsync("s3");
        await PutFileAsync($"{bucket}/jars/hello.jar", jar);
        ClusterInfo cluster = await Client.CreateClusterAsync(StepTests.ThreeNodes("object-jar").KeepAlive().Build());

        AddStepsResponse added = await Client.AddStepsAsync(cluster.Id,
        [
            StepBuilder.JarStep("manifest", $"{bucket}/jars/hello.jar", arguments: ["from", "s3"]),
            StepBuilder.JarStep("explicit", $"{bucket}/jars/hello.jar", mainClass: "Other", arguments: ["x"]),
        ]);
        var manifest = await Client.WaitForStepAsync(cluster.Id, added.StepIds[0], ServerFixture.Fast);
        var explicitMain = await Client.WaitForStepAsync(cluster.Id, added.StepIds[1], ServerFixture.Fast);

        Assert.Equal(StepStates.Completed, manifest.State);
        Assert.Equal("hello from java: from,s3\n", await LogAsync(cluster.Id, manifest.Id, StepLogKind.Stdout));
        Assert.Contains($"fetched {bucket}/jars/hello.jar", await LogAsync(cluster.Id, manifest.Id, StepLogKind.Controller), StringComparison.Ordinal);
        Assert.Equal(StepStates.Completed, explicitMain.State);
        Assert.Equal("other main, 1 args\n", await LogAsync(cluster.Id, explicitMain.Id, StepLogKind.Stdout));
        await Client.TerminateClusterAsync(cluster.Id);
    }

    [Fact]
    public async Task AddSteps_MissingObjectJar_IsInputNotFoundNamingTheUri()
    {
        var bucket = await BucketAsync("oss");
        ClusterInfo cluster = await Client.CreateClusterAsync(StepTests.ThreeNodes("object-missing").KeepAlive().Build());
        var missing = $"{bucket}/jars/missing.jar";

        var error = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.AddStepsAsync(cluster.Id, [StepBuilder.JarStep("jar", missing)]));

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(ErrorCodes.InputNotFound, error.ErrorCode);
        Assert.Contains($"steps[0].properties.jar '{missing}' does not exist", error.Message, StringComparison.Ordinal);
        Assert.Empty(await Client.ListStepsAsync(cluster.Id).ToListAsync());
        await Client.TerminateClusterAsync(cluster.Id);
    }

    private async Task<string> LogAsync(string clusterId, string stepId, StepLogKind log)
    {
        LogChunk chunk = await Client.ReadStepLogAsync(clusterId, stepId, log);
        return Encoding.UTF8.GetString(chunk.Data.Span);
    }
}
