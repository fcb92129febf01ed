using System.Diagnostics;
using Amazon.S3.Model;
using Sluice.Core.ObjectStorage;
using Sluice.Core.Ports;
using Sluice.ObjectStores.S3;

namespace Sluice.Bench.ObjectStorage;

/// <summary>
/// store_put_ratio / store_get_ratio: one large file (1 GiB; 128 MiB with --quick) written to and read
/// from an object store by Sluice's store, against a baseline on the same data in the same run:
/// <c>cp</c> for the local directory store, and the raw AWSSDK.S3 client (one PutObject from the file,
/// one GetObject to a file) for the S3 store against the same s3rver. Ratios are baseline time / Sluice
/// time (1 = as fast, higher is better); each side runs twice, interleaved, and its mean is used.
/// The S3 half needs s3rver: <c>eval "$(bash scripts/s3rver-dev.sh start)"</c>.
/// </summary>
internal sealed class StoreBenchmark : IBenchmark
{
    public string Name => "store";

    public string Description => "1 GiB put/get through the local store vs cp, and through the S3 store vs the raw AWSSDK.S3 client on the same s3rver";

    public async Task RunAsync(BenchReport report, BenchOptions options, CancellationToken cancellationToken)
    {
        var size = options.Quick ? 128L << 20 : 1L << 30;
        Directory.CreateDirectory(options.WorkDirectory);
        var source = Path.Combine(options.WorkDirectory, "source.bin");
        await WriteSourceAsync(source, size, cancellationToken);
        report.Value("store_bytes", size);

        var local = new LocalObjectStore(Path.Combine(options.WorkDirectory, "objects"));
        var bucket = ObjectUri.Parse("s3://bench-local");
        await local.CreateBucketAsync(bucket, cancellationToken);
        var (cpPut, sluicePut, cpGet, sluiceGet) = await MeasureAsync(
            () => RunCp(source, Path.Combine(options.WorkDirectory, "cp-put.bin")),
            () => PutAsync(local, bucket.WithKey("blob"), source, cancellationToken),
            () => RunCp(Path.Combine(options.WorkDirectory, "objects", "bench-local", "blob"), Path.Combine(options.WorkDirectory, "cp-get.bin")),
            () => GetAsync(local, bucket.WithKey("blob"), Path.Combine(options.WorkDirectory, "sluice-get.bin"), cancellationToken));
        report.Value("store_local_put_ratio", cpPut / sluicePut);
        report.Value("store_local_get_ratio", cpGet / sluiceGet);
        report.Value("store_local_put_mib_per_s", size / 1048576.0 / sluicePut);
        report.Value("store_local_get_mib_per_s", size / 1048576.0 / sluiceGet);
        report.Value("store_cp_put_mib_per_s", size / 1048576.0 / cpPut);
        report.Value("store_cp_get_mib_per_s", size / 1048576.0 / cpGet);
        File.Delete(Path.Combine(options.WorkDirectory, "cp-put.bin"));
        File.Delete(Path.Combine(options.WorkDirectory, "cp-get.bin"));
        File.Delete(Path.Combine(options.WorkDirectory, "sluice-get.bin"));
        await local.DeleteAsync(bucket.WithKey("blob"), cancellationToken);

        var endpoint = FindS3rver();
        if (endpoint is null)
        {
            report.Note("store: S3 half skipped: no s3rver; start one with eval \"$(bash scripts/s3rver-dev.sh start)\"");
            return;
        }
        var s3Options = new S3ObjectStoreOptions { Name = "bench", ServiceUrl = endpoint, AccessKey = "S3RVER", SecretKey = "S3RVER" };
        using var s3 = new S3ObjectStore(s3Options);
        using var raw = S3ObjectStore.CreateClient(s3Options);
        var s3Bucket = ObjectUri.Parse($"s3://bench-{Environment.ProcessId}");
        await s3.CreateBucketAsync(s3Bucket, cancellationToken);
        var (rawPut, s3Put, rawGet, s3Get) = await MeasureAsync(
            () => raw.PutObjectAsync(new PutObjectRequest { BucketName = s3Bucket.Bucket, Key = "raw", FilePath = source, UseChunkEncoding = false }, cancellationToken),
            () => PutAsync(s3, s3Bucket.WithKey("sluice"), source, cancellationToken),
            async () =>
            {
                using var response = await raw.GetObjectAsync(s3Bucket.Bucket, "raw", cancellationToken);
                await using var file = new FileStream(Path.Combine(options.WorkDirectory, "raw-get.bin"), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
                await response.ResponseStream.CopyToAsync(file, 1 << 20, cancellationToken);
            },
            () => GetAsync(s3, s3Bucket.WithKey("sluice"), Path.Combine(options.WorkDirectory, "s3-get.bin"), cancellationToken));
        report.Value("store_s3_put_ratio", rawPut / s3Put);
        report.Value("store_s3_get_ratio", rawGet / s3Get);
        report.Value("store_s3_put_mib_per_s", size / 1048576.0 / s3Put);
        report.Value("store_s3_get_mib_per_s", size / 1048576.0 / s3Get);
        report.Value("store_s3_raw_put_mib_per_s", size / 1048576.0 / rawPut);
        report.Value("store_s3_raw_get_mib_per_s", size / 1048576.0 / rawGet);
        await s3.DeleteAsync(s3Bucket.WithKey("sluice"), cancellationToken);
        await raw.DeleteObjectAsync(s3Bucket.Bucket, "raw", cancellationToken);
    }

    /// <summary>Baseline put, Sluice put, baseline get, Sluice get, twice interleaved; mean seconds of each.</summary>
    private static async Task<(double BasePut, double SluicePut, double BaseGet, double SluiceGet)> MeasureAsync(
        Func<Task> basePut, Func<Task> sluicePut, Func<Task> baseGet, Func<Task> sluiceGet)
    {
        double bp = 0, sp = 0, bg = 0, sg = 0;
        for (var round = 0; round < 2; round++)
        {
            // The order flips between rounds so neither side always inherits the other's dirty pages.
            if (round == 0)
            {
                bp += await TimeAsync(basePut);
                sp += await TimeAsync(sluicePut);
            }
            else
            {
                sp += await TimeAsync(sluicePut);
                bp += await TimeAsync(basePut);
            }
            bg += await TimeAsync(baseGet);
            sg += await TimeAsync(sluiceGet);
        }
        return (bp / 2, sp / 2, bg / 2, sg / 2);
    }

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        await RunAsync("sync"); // start each measurement with no dirty pages of the one before
        var started = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static async Task PutAsync(IObjectStore store, ObjectUri uri, string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        await store.PutAsync(uri, file, cancellationToken);
    }

    private static async Task GetAsync(IObjectStore store, ObjectUri uri, string path, CancellationToken cancellationToken)
    {
        await using var content = await store.OpenReadAsync(uri, 0, null, cancellationToken);
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        await content.CopyToAsync(file, 1 << 20, cancellationToken);
    }

    private static Task RunCp(string from, string to) => RunAsync("cp", from, to);

    private static async Task RunAsync(string command, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(command, args) { UseShellExecute = false }) ?? throw new InvalidOperationException($"{command} did not start");
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', args)} exited {process.ExitCode}");
        }
    }

    private static async Task WriteSourceAsync(string path, long size, CancellationToken cancellationToken)
    {
        var block = new byte[1 << 20];
        new Random(42).NextBytes(block);
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        for (long written = 0; written < size; written += block.Length)
        {
            block[0]++; // blocks differ, so nothing downstream can dedupe them
            await file.WriteAsync(block, cancellationToken);
        }
    }

    private static string? FindS3rver()
    {
        var endpoint = Environment.GetEnvironmentVariable("SLUICE_TEST_S3_ENDPOINT");
        if (!string.IsNullOrEmpty(endpoint))
        {
            return endpoint;
        }
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var file = Path.Combine(dir.FullName, ".s3rver", "endpoint");
            if (File.Exists(file))
            {
                return File.ReadAllText(file).Trim();
            }
        }
        return null;
    }
}
