using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Microsoft.Extensions.Options;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.ObjectStorage;
using Sluice.Core.Packages;
using Sluice.Core.Ports;
using Sluice.Streaming;

namespace Sluice.Testing.Conformance.ObjectStore;

/// <summary>
/// The streaming engine with inputs, outputs, files and archives on an <see cref="IObjectStore"/> (issue #5, item 6):
/// real mapper and reducer processes, real objects. A store's test project derives one class and supplies the store;
/// <c>s3://</c> maps to it, <c>bos://</c> serves only mapped buckets (so other bos buckets are unmapped).
/// </summary>
public abstract class StreamingOnObjectStoreTests : IAsyncLifetime, IDisposable
{
    private static readonly string[] Words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"];
    private readonly string _data = Directory.CreateTempSubdirectory("sluice-streaming-objects-").FullName;
    private IObjectStore? _store;
    private ObjectStreamingStore? _streaming;

    protected string Bucket { get; } = "stream-" + Guid.NewGuid().ToString("N")[..16];

    protected static CancellationToken Ct => CancellationToken.None;

    protected abstract Task<IObjectStore> CreateStoreAsync();

    private IObjectStore Store => _store ?? throw new InvalidOperationException("InitializeAsync has not run.");

    private string Root => $"s3://{Bucket}";

    public async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
        var options = new ObjectStorageOptions { Schemes = new(StringComparer.OrdinalIgnoreCase) { ["s3"] = _store.Name, ["bos"] = "" } };
        var resolver = new ObjectStoreResolver([_store], Options.Create(options));
        _streaming = new ObjectStreamingStore(resolver, new PackageCache(resolver, Options.Create(new SluiceOptions { DataDirectory = _data })));
        await Store.CreateBucketAsync(ObjectUri.Parse(Root), Ct);
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

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

    private Task<StreamingJobResult> RunAsync(params string[] args) => new StreamingEngine(_streaming).RunAsync(StreamingArguments.Parse(args), Ct);

    private async Task PutAsync(string key, byte[] content)
    {
        using var stream = new MemoryStream(content);
        await Store.PutAsync(ObjectUri.Parse($"{Root}/{key}"), stream, Ct);
    }

    private Task PutTextAsync(string key, string text) => PutAsync(key, Encoding.UTF8.GetBytes(text));

    private async Task<string?> ReadTextAsync(string key)
    {
        var uri = ObjectUri.Parse($"{Root}/{key}");
        if (await Store.HeadAsync(uri, Ct) is null)
        {
            return null;
        }
        var stream = await Store.OpenReadAsync(uri, 0, null, Ct);
        await using (stream)
        {
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return await reader.ReadToEndAsync();
        }
    }

    private async Task<List<string>> KeysAsync(string prefix)
    {
        var page = await Store.ListAsync(ObjectUri.Parse($"{Root}/{prefix}"), null, null, 1000, Ct);
        return [.. page.Objects.Select(o => o.Key)];
    }

    /// <summary>Seeded text of <paramref name="lines"/> words, counted into <paramref name="counts"/>.</summary>
    private static string Text(int seed, int lines, Dictionary<string, long> counts)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        for (var i = 0; i < lines; i++)
        {
            var a = Words[random.Next(Words.Length)];
            var b = Words[random.Next(Words.Length)];
            counts[a] = counts.GetValueOrDefault(a) + 1;
            counts[b] = counts.GetValueOrDefault(b) + 1;
            text.Append(a).Append(' ').Append(b).Append('\n');
        }
        return text.ToString();
    }

    private static Dictionary<string, long> ParseCounts(IEnumerable<string?> parts) =>
        parts.SelectMany(p => (p ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
            .Select(l => l.Split('\t')).ToDictionary(f => f[0], f => long.Parse(f[1], CultureInfo.InvariantCulture));

    private const string WordCountMapper = "awk '{ for (i = 1; i <= NF; i++) print \"LongValueSum:\" $i \"\\t1\" }'";

    [Fact]
    public async Task RunAsync_WordCountFromPrefixToPrefix_WritesPartFilesAndSuccess()
    {
        var expected = new Dictionary<string, long>();
        await PutTextAsync("in/a.txt", Text(1, 300, expected));
        await PutTextAsync("in/b.txt", Text(2, 200, expected) + "alpha alpha"); // a last line without a newline
        expected["alpha"] += 2;
        await PutTextAsync("in/_SUCCESS", "");
        await PutTextAsync("in/.a.txt.crc", "not words at all");
        await PutTextAsync("in/_logs/history", "hidden too");

        // 500-byte splits cut lines in the middle: every split is a ranged read of its object.
        var result = await RunAsync("-input", $"{Root}/in/", "-output", $"{Root}/out", "-mapper", WordCountMapper,
            "-reducer", "aggregate", "-numReduceTasks", "2", "--split-size", "500");

        Assert.True(result.Succeeded, result.Error);
        Assert.True(result.MapTasks > 4, $"{result.MapTasks} map tasks");
        Assert.Equal(["out/_SUCCESS", "out/part-00000", "out/part-00001"], await KeysAsync("out/"));
        Assert.Equal("", await ReadTextAsync("out/_SUCCESS"));
        var counts = ParseCounts([await ReadTextAsync("out/part-00000"), await ReadTextAsync("out/part-00001")]);
        Assert.Equal(expected.OrderBy(p => p.Key), counts.OrderBy(p => p.Key));
        Assert.Equal($"{Root}/out", result.OutputDirectory);
        Assert.Equal(["part-00000", "part-00001"], result.OutputFiles);
    }

    [Fact]
    public async Task RunAsync_GlobAndGzipInputs_ReadOnlyTheMatchingObjects()
    {
        var expected = new Dictionary<string, long>();
        await PutTextAsync("logs/2026-01/part-0", Text(3, 50, expected));
        using (var gz = new MemoryStream())
        {
            using (var gzip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(Encoding.UTF8.GetBytes(Text(4, 70, expected)));
            }
            await PutAsync("logs/2026-02/part-0.gz", gz.ToArray());
        }
        await PutTextAsync("logs/2025-12/part-0", Text(5, 40, []));
        await PutTextAsync("logs/2026-03/_temporary", "skipped: hidden");

        var result = await RunAsync("-input", $"{Root}/logs/2026-*", "-output", $"{Root}/glob-out", "-mapper", WordCountMapper, "-reducer", "aggregate");

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(expected.OrderBy(p => p.Key), ParseCounts([await ReadTextAsync("glob-out/part-00000")]).OrderBy(p => p.Key));
    }

    [Fact]
    public async Task RunAsync_FilesAndArchivesFromTheStore_ReachTheTaskWorkingDirectory()
    {
        await PutTextAsync("in.txt", "x\ny\n");
        await PutTextAsync("code/tag.awk", "{ print prefix \"-\" $0 }\n");
        using (var tgz = new MemoryStream())
        {
            using (var gzip = new GZipStream(tgz, CompressionLevel.Fastest, leaveOpen: true))
            using (var tar = new TarWriter(gzip))
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, "prefix.txt") { DataStream = new MemoryStream("from-archive"u8.ToArray()) };
                tar.WriteEntry(entry);
            }
            await PutAsync("code/lib.tar.gz", tgz.ToArray());
        }

        var result = await RunAsync("-input", $"{Root}/in.txt", "-output", $"{Root}/files-out", "-numReduceTasks", "0",
            "-files", $"{Root}/code/tag.awk#tag.awk", "-archives", $"{Root}/code/lib.tar.gz#lib",
            "-mapper", "sh -c 'awk -v prefix=\"$(cat lib/prefix.txt)\" -f tag.awk'");

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("from-archive-x\t\nfrom-archive-y\t\n", await ReadTextAsync("files-out/part-00000"));
    }

    [Fact]
    public async Task RunAsync_ExistingOutput_FailsBeforeAnyTaskAndKeepsIt()
    {
        await PutTextAsync("in.txt", "a\n");
        await PutTextAsync("taken/part-00000", "earlier result\n");

        var result = await RunAsync("-input", $"{Root}/in.txt", "-output", $"{Root}/taken", "-mapper", "cat");

        Assert.False(result.Succeeded);
        Assert.Contains($"Output directory {Root}/taken already exists", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, result.MapTasks);
        Assert.Equal("earlier result\n", await ReadTextAsync("taken/part-00000"));
        Assert.Equal(["taken/part-00000"], await KeysAsync("taken/"));
    }

    [Fact]
    public async Task RunAsync_ExistingOutputWithOverwrite_ReplacesIt()
    {
        await PutTextAsync("in.txt", "a\n");
        await PutTextAsync("again/part-00007", "stale\n");

        var result = await RunAsync("-input", $"{Root}/in.txt", "-output", $"{Root}/again", "-mapper", "cat", "--overwrite");

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(["again/_SUCCESS", "again/part-00000"], await KeysAsync("again/"));
    }

    [Fact]
    public async Task RunAsync_MissingInput_FailsNamingTheUri()
    {
        var result = await RunAsync("-input", $"{Root}/nothing/here", "-output", $"{Root}/never", "-mapper", "cat");

        Assert.False(result.Succeeded);
        Assert.Contains($"Input path does not exist: {Root}/nothing/here", result.Error, StringComparison.Ordinal);
        Assert.Empty(await KeysAsync("never"));
    }

    [Fact]
    public async Task RunAsync_MissingFilesObject_FailsNamingTheUri()
    {
        await PutTextAsync("in.txt", "a\n");

        var result = await RunAsync("-input", $"{Root}/in.txt", "-output", $"{Root}/no-files", "-mapper", "cat", "-files", $"{Root}/code/missing.py");

        Assert.False(result.Succeeded);
        Assert.Contains(ErrorCodes.PackageUnavailable, result.Error, StringComparison.Ordinal);
        Assert.Contains($"{Root}/code/missing.py", result.Error, StringComparison.Ordinal);
        Assert.Empty(await KeysAsync("no-files"));
    }

    [Fact]
    public async Task RunAsync_UnmappedBucket_IsAUsageErrorNamingTheUri()
    {
        await PutTextAsync("in.txt", "a\n");

        var error = await Assert.ThrowsAsync<StreamingUsageException>(() =>
            RunAsync("-input", "bos://nobody-maps-this/in.txt", "-output", $"{Root}/unmapped", "-mapper", "cat"));

        Assert.Contains(ErrorCodes.BucketNotMapped, error.Message, StringComparison.Ordinal);
        Assert.Contains("bos://nobody-maps-this/in.txt", error.Message, StringComparison.Ordinal);
        Assert.Empty(await KeysAsync("unmapped"));
    }
}
