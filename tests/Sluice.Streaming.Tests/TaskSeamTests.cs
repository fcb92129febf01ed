using System.Text.Json;

namespace Sluice.Streaming.Tests;

public sealed class TaskSeamTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Ships every task through JSON and a worker entry point, as a remote executor would.</summary>
    private sealed class JsonRoundTripExecutor(string directory) : IStreamingTaskExecutor
    {
        public int Tasks;

        public async Task<StreamingTaskResult> ExecuteAsync(StreamingTaskSpec task, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref Tasks);
            var specPath = Path.Combine(directory, $"task{n}.json");
            var resultPath = Path.Combine(directory, $"result{n}.json");
            await File.WriteAllTextAsync(specPath, JsonSerializer.Serialize(task, StreamingJsonContext.Default.StreamingTaskSpec), cancellationToken);
            await StreamingTaskWorker.RunFromFileAsync(specPath, resultPath, cancellationToken);
            return JsonSerializer.Deserialize(await File.ReadAllTextAsync(resultPath, cancellationToken), StreamingJsonContext.Default.StreamingTaskResult)!;
        }
    }

    [Fact]
    public async Task RunAsync_CustomExecutorThroughJson_ProducesSameOutput()
    {
        var input = _dir.File("in.txt", Jobs.Corpus(300, 4));
        Directory.CreateDirectory(_dir.Combine("specs"));
        var executor = new JsonRoundTripExecutor(_dir.Combine("specs"));
        string[] args = ["-input", input, "-mapper", "awk '{print $1 \"\\t\" NF}'", "-reducer", "cat", "-numReduceTasks", "2", "--split-size", "3000"];

        var remote = await new StreamingEngine(executor).RunAsync(StreamingArguments.Parse([.. args, "-output", _dir.Combine("remote")]));
        await Jobs.RunOkAsync([.. args, "-output", _dir.Combine("local")]);

        Assert.True(remote.Succeeded, remote.Error);
        Assert.Equal(remote.MapTasks + 2, executor.Tasks);
        Assert.Equal(Jobs.ReadOutput(_dir.Combine("local")), Jobs.ReadOutput(_dir.Combine("remote")));
        Assert.Contains("\"kind\":\"Map\"", File.ReadAllText(_dir.Combine("specs/task1.json")), StringComparison.Ordinal);
    }
}
