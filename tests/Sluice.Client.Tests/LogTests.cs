using System.Globalization;
using System.Text;
using Sluice.Client.Tests.Infrastructure;
using Sluice.Contracts;

namespace Sluice.Client.Tests;

public sealed class LogTests
{
    private static Reply Serve(RecordedRequest r, byte[] log, bool complete)
    {
        var offset = (int)Math.Min(long.Parse(r.QueryValue("offset") ?? "0", CultureInfo.InvariantCulture), log.Length);
        var length = int.Parse(r.QueryValue("length") ?? (1024 * 1024).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var data = log.AsSpan(offset, Math.Min(length, log.Length - offset)).ToArray();
        return Reply.Bytes(data, new()
        {
            [SluiceHeaders.LogSize] = log.Length.ToString(CultureInfo.InvariantCulture),
            [SluiceHeaders.LogComplete] = complete ? "true" : "false",
        });
    }

    [Fact]
    public async Task ReadLog_OffsetAndLength_ReturnsSliceWithSizeAndNextOffset()
    {
        var log = Encoding.UTF8.GetBytes("0123456789abcdef");
        await using var server = await ScriptedServer.StartAsync(r => Serve(r, log, complete: true));
        using var client = server.CreateClient();

        LogChunk chunk = await client.ReadLogAsync("j-1", "the task", 2, LogStream.Stderr, offset: 4, length: 6);

        Assert.Equal("456789", Encoding.UTF8.GetString(chunk.Data.Span));
        Assert.Equal(4, chunk.Offset);
        Assert.Equal(16, chunk.TotalSize);
        Assert.True(chunk.IsComplete);
        Assert.Equal(10, chunk.NextOffset);
        Assert.False(chunk.IsEnd);
        var request = Assert.Single(server.Requests);
        Assert.Equal("/v1/jobs/j-1/tasks/the task/instances/2/logs/stderr", request.Path);
        Assert.Equal("offset=4&length=6", request.RawQuery);
        Assert.Empty(server.SignatureFailures);
    }

    [Fact]
    public async Task FollowLog_GrowingLog_YieldsNewBytesUntilComplete()
    {
        string[] growth = ["", "hello ", "hello ", "hello world", "hello world\nbye\n"];
        var reads = 0;
        await using var server = await ScriptedServer.StartAsync(r =>
        {
            var step = Math.Min(Interlocked.Increment(ref reads), growth.Length) - 1;
            return Serve(r, Encoding.UTF8.GetBytes(growth[step]), complete: step == growth.Length - 1);
        });
        using var client = server.CreateClient();

        var text = new StringBuilder();
        var offsets = new List<long>();
        await foreach (var chunk in client.FollowLogAsync("j-1", "t", 0, pollInterval: TimeSpan.FromMilliseconds(1)))
        {
            offsets.Add(chunk.Offset);
            text.Append(Encoding.UTF8.GetString(chunk.Data.Span));
        }

        Assert.Equal("hello world\nbye\n", text.ToString());
        Assert.Equal([0L, 6L, 11L], offsets);
        Assert.Equal(5, server.RequestCount);
        Assert.All(server.Requests, r => Assert.EndsWith("/logs/stdout", r.Path, StringComparison.Ordinal));
    }

    [Fact]
    public async Task FollowLog_CompleteLogLargerThanOneRead_ReadsToTheEnd()
    {
        var log = new byte[2_500_000];
        Random.Shared.NextBytes(log);
        await using var server = await ScriptedServer.StartAsync(r => Serve(r, log, complete: true));
        using var client = server.CreateClient();

        using var collected = new MemoryStream();
        await foreach (var chunk in client.FollowLogAsync("j-1", "t", 0, offset: 100))
        {
            collected.Write(chunk.Data.Span);
        }

        Assert.Equal(log.AsSpan(100).ToArray(), collected.ToArray());
        Assert.Equal(3, server.RequestCount);
    }
}
