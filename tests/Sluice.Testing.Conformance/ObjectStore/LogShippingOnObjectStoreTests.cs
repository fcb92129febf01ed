using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sluice.Core;
using Sluice.Core.Logs;
using Sluice.Core.ObjectStorage;
using Sluice.Core.Ports;

namespace Sluice.Testing.Conformance.ObjectStore;

/// <summary>
/// Issue #15, item 7: a growing log is shipped at O(n) bytes as chunks and read back as one file, whole and from any
/// offset, on every object store. The shipper is driven one check at a time (no timers): each step appends 1 MiB and
/// checks once. A store's test project derives one class and supplies the store.
/// </summary>
public abstract class LogShippingOnObjectStoreTests : IAsyncLifetime, IDisposable
{
    private const int MiB = 1 << 20;
    private readonly string _data = Directory.CreateTempSubdirectory("sluice-log-shipping-").FullName;
    private IObjectStore? _inner;
    private CountingObjectStore? _counting;
    private ObjectStoreResolver? _plain;
    private LogShipper? _shipper;

    protected string Bucket { get; } = "logs-" + Guid.NewGuid().ToString("N")[..16];

    protected static CancellationToken Ct => CancellationToken.None;

    protected abstract Task<IObjectStore> CreateStoreAsync();

    private CountingObjectStore Counting => _counting ?? throw new InvalidOperationException("InitializeAsync has not run.");

    private string LogPath => Path.Combine(_data, "logs", "stdout");

    private InstanceLogInfo Instance(int attempt = 1) =>
        new("acct", "c-1", "j-1", "task", 0, attempt, LogPath, Path.Combine(_data, "logs", "stderr"), $"s3://{Bucket}/logs/", null, null);

    /// <summary>Where the instance's stdout is copied under the log URI.</summary>
    private ObjectLocation Copy => _plain!.Resolve(LogUriLayout.Instance(ObjectUri.Parse($"s3://{Bucket}/logs/"), "c-1", "j-1", "task", 0, ProcessOutput.Stdout));

    public async Task InitializeAsync()
    {
        _inner = await CreateStoreAsync();
        _counting = new CountingObjectStore(_inner);
        _plain = Resolver(_inner);
        await _inner.CreateBucketAsync(ObjectUri.Parse($"s3://{Bucket}"), Ct);
        Directory.CreateDirectory(Path.GetDirectoryName(LogPath)!);
    }

    public async Task DisposeAsync()
    {
        if (_shipper is not null)
        {
            await _shipper.DisposeAsync();
        }
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing && Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    private static ObjectStoreResolver Resolver(IObjectStore store) =>
        new([store], Options.Create(new ObjectStorageOptions { Schemes = new(StringComparer.OrdinalIgnoreCase) { ["s3"] = store.Name } }));

    private LogShipper Shipper(long? cap = 1L << 30) => _shipper = new LogShipper(Resolver(Counting),
        Options.Create(new LogShippingOptions { ShipBytes = MiB, ShipInterval = TimeSpan.FromHours(1), CheckInterval = TimeSpan.FromHours(1), MaxBytesPerLog = cap }),
        Options.Create(new SluiceOptions { DataDirectory = _data }), TimeProvider.System, NullLogger<LogShipper>.Instance);

    /// <summary>Appends one MiB of lines that differ by position, so a byte read from the wrong offset shows.</summary>
    private async Task<byte[]> GrowAsync(int step)
    {
        var text = new System.Text.StringBuilder(MiB + 64);
        for (var line = 0; text.Length < MiB; line++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"step {step} line {line}\n");
        }
        var bytes = System.Text.Encoding.ASCII.GetBytes(text.ToString(0, MiB));
        await using var file = new FileStream(LogPath, FileMode.Append, FileAccess.Write);
        await file.WriteAsync(bytes, Ct);
        return bytes;
    }

    private async Task<byte[]> ReadAsync(long offset = 0, long length = long.MaxValue)
    {
        var log = await ShippedLog.FindAsync(Copy, Ct) ?? throw new InvalidOperationException("no copy");
        await using var content = await log.OpenReadAsync(offset, length, Ct);
        using var output = new MemoryStream();
        await content.CopyToAsync(output, Ct);
        return output.ToArray();
    }

    private static byte[] Slice(byte[] all, long offset, long length) =>
        all.AsSpan((int)Math.Min(offset, all.Length), (int)Math.Min(length, Math.Max(0, all.Length - offset))).ToArray();

    [Fact]
    public async Task Ship_LogGrowingTo20MiBInSteps_CopiesAtMostTwiceItsSizeAndReadsBackIdentical()
    {
        var shipper = Shipper();
        shipper.InstanceStarted(Instance());
        var expected = new List<byte>();
        for (var step = 1; step <= 20; step++)
        {
            expected.AddRange(await GrowAsync(step));
            await shipper.CheckAsync(Ct);
            var running = await ShippedLog.FindAsync(Copy, Ct);
            Assert.NotNull(running);
            Assert.False(running.IsWhole);
            Assert.Equal((long)step * MiB, running.Size);
        }
        var all = expected.ToArray();
        // The running copy, joined from its chunks, across chunk boundaries.
        Assert.Equal(all, await ReadAsync());
        Assert.Equal(Slice(all, MiB - 10, 20), await ReadAsync(MiB - 10, 20));
        Assert.Equal(Slice(all, 3 * MiB + 5, 5 * MiB), await ReadAsync(3 * MiB + 5, 5 * MiB));
        var runningWritten = Counting.BytesWritten;

        shipper.InstanceEnded(Instance());
        await shipper.IdleAsync();

        var n = (long)all.Length;
        // Re-copying the whole file at every MiB wrote 1 + 2 + ... + 20 = 210 MiB here; chunks and one final copy: 40 MiB.
        Assert.Equal(n, runningWritten);
        Assert.Equal(2 * n, Counting.BytesWritten);
        Assert.Equal(0, Counting.BytesRead);
        var final = await ShippedLog.FindAsync(Copy, Ct);
        Assert.NotNull(final);
        Assert.True(final.IsWhole);
        Assert.Empty((await _inner!.ListAsync(LogUriLayout.Chunks(Copy.Uri), null, null, 10, Ct)).Objects);
        Assert.Equal(all, await ReadAsync());
        foreach (var offset in new long[] { 0, 1, MiB - 1, MiB, 7 * MiB + 123, n - 1, n, n + 10 })
        {
            Assert.Equal(Slice(all, offset, 3000), await ReadAsync(offset, 3000));
        }
    }

    [Fact]
    public async Task Ship_LogPastTheCap_StopsAtTheCapWithTheTruncationMarker()
    {
        const long cap = (5 * MiB) / 2;
        var shipper = Shipper(cap);
        shipper.InstanceStarted(Instance());
        var expected = new List<byte>();
        for (var step = 1; step <= 4; step++)
        {
            expected.AddRange(await GrowAsync(step));
            await shipper.CheckAsync(Ct);
        }
        var marker = ShippedLog.TruncationMarker(cap);
        var shipped = expected.Take((int)cap).Concat(marker).ToArray();
        Assert.Equal(shipped, await ReadAsync());
        var puts = Counting.Puts;
        expected.AddRange(await GrowAsync(5));
        await shipper.CheckAsync(Ct);
        Assert.Equal(puts, Counting.Puts); // nothing more is copied once cut

        shipper.InstanceEnded(Instance());
        await shipper.IdleAsync();

        Assert.Equal(shipped, await ReadAsync());
        Assert.Equal(Slice(shipped, cap - 3, 50), await ReadAsync(cap - 3, 50));
        Assert.Contains("log truncated", System.Text.Encoding.UTF8.GetString(marker), StringComparison.Ordinal);
        Assert.Equal(5L * MiB, new FileInfo(LogPath).Length); // the local file keeps everything
    }

    [Fact]
    public async Task Find_SingleObjectShippedBeforeChunks_IsReadAsOneFile()
    {
        var old = System.Text.Encoding.ASCII.GetBytes("shipped whole by an earlier version\n");
        using (var content = new MemoryStream(old))
        {
            await Copy.Store.PutAsync(Copy.Uri, content, Ct);
        }

        Assert.Equal(old, await ReadAsync());
        Assert.Equal(Slice(old, 8, 5), await ReadAsync(8, 5));
    }

    [Fact]
    public async Task Ship_NewAttempt_FirstChunkReplacesThePreviousAttemptsCopy()
    {
        using (var content = new MemoryStream("attempt 1\n"u8.ToArray()))
        {
            await Copy.Store.PutAsync(Copy.Uri, content, Ct);
        }
        var shipper = Shipper();
        shipper.InstanceStarted(Instance(attempt: 2));

        var bytes = await GrowAsync(1);
        await shipper.CheckAsync(Ct);

        Assert.Null(await Copy.Store.HeadAsync(Copy.Uri, Ct));
        Assert.Equal(bytes, await ReadAsync());
    }

    [Fact]
    public async Task Read_ChunksReplacedByTheFinalCopyMidRead_ReadsOnFromTheWholeObject()
    {
        var shipper = Shipper();
        shipper.InstanceStarted(Instance());
        var expected = new List<byte>();
        for (var step = 1; step <= 3; step++)
        {
            expected.AddRange(await GrowAsync(step));
            await shipper.CheckAsync(Ct);
        }
        var running = await ShippedLog.FindAsync(Copy, Ct);
        Assert.NotNull(running);
        await using var content = await running.OpenReadAsync(0, running.Size, Ct);
        var first = new byte[1000];
        await content.ReadExactlyAsync(first, Ct);

        shipper.InstanceEnded(Instance());
        await shipper.IdleAsync();
        using var rest = new MemoryStream();
        await content.CopyToAsync(rest, Ct);

        Assert.Equal(expected.ToArray(), first.Concat(rest.ToArray()).ToArray());
    }

    [Fact]
    public async Task Find_ChunkMissingInTheMiddle_IsReadableUpToTheGap()
    {
        var shipper = Shipper();
        shipper.InstanceStarted(Instance());
        var expected = new List<byte>();
        for (var step = 1; step <= 3; step++)
        {
            expected.AddRange(await GrowAsync(step));
            await shipper.CheckAsync(Ct);
        }

        await Copy.Store.DeleteAsync(LogUriLayout.Chunk(Copy.Uri, MiB), Ct);

        Assert.Equal(expected.Take(MiB).ToArray(), await ReadAsync());
    }
}
