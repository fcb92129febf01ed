using System.Diagnostics;
using Amazon.S3.Model;
using Sluice.Core.ObjectStorage;
using Sluice.Core.Ports;
using Sluice.ObjectStores.S3;
using Sluice.Streaming;

namespace Sluice.Bench.ObjectStorage;

/// <summary>
/// store_put_ratio / store_get_ratio: one large file (1 GiB; 128 MiB with --quick) written to and read
/// from an object store by Sluice's store, against a baseline on the same data in the same run:
/// <c>cp</c> for the local directory store, and the raw AWSSDK.S3 client (one PutObject from the file,
/// one GetObject to a file) for the S3 store against the same s3rver. Ratios are baseline time / Sluice
/// time (1 = as fast, higher is better); after a warm-up round each side runs several times (seven local,
/// five through s3rver), interleaved, and its median is used.
/// The S3 half needs s3rver: <c>eval "$(bash scripts/s3rver-dev.sh start)"</c>.
/// </summary>
internal sealed class StoreBenchmark : IBenchmark
{
    private const int LocalRounds = 7;
    private const int S3Rounds = 5;

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
        var cpPutPath = Path.Combine(options.WorkDirectory, "cp-put.bin");
        var cpGetPath = Path.Combine(options.WorkDirectory, "cp-get.bin");
        var sluiceGetPath = Path.Combine(options.WorkDirectory, "sluice-get.bin");
        var (cpPut, sluicePut, cpGet, sluiceGet) = await MeasureAsync(report, "store_local", LocalRounds,
            new(() => RunCp(source, cpPutPath), () => DeleteFile(cpPutPath)),
            new(() => PutAsync(local, bucket.WithKey("blob"), source, cancellationToken), () => local.DeleteAsync(bucket.WithKey("blob"), cancellationToken)),
            new(() => RunCp(Path.Combine(options.WorkDirectory, "objects", "bench-local", "blob"), cpGetPath), () => DeleteFile(cpGetPath)),
            new(() => GetAsync(local, bucket.WithKey("blob"), sluiceGetPath, cancellationToken), () => DeleteFile(sluiceGetPath)));
        report.Value("store_local_put_ratio", cpPut / sluicePut);
        report.Value("store_local_get_ratio", cpGet / sluiceGet);
        report.Value("store_local_put_mib_per_s", size / 1048576.0 / sluicePut);
        report.Value("store_local_get_mib_per_s", size / 1048576.0 / sluiceGet);
        report.Value("store_cp_put_mib_per_s", size / 1048576.0 / cpPut);
        report.Value("store_cp_get_mib_per_s", size / 1048576.0 / cpGet);
        File.Delete(cpPutPath);
        File.Delete(cpGetPath);
        File.Delete(sluiceGetPath);
        await local.DeleteAsync(bucket.WithKey("blob"), cancellationToken);

        var endpoint = FindS3rver();
        if (endpoint is null)
        {
            report.Note("store: S3 half skipped: no s3rver; start one with eval \"$(bash scripts/s3rver-dev.sh start)\"");
            return;
        }
        S3ObjectStoreOptions S3Options() => new() { Name = "bench", ServiceUrl = endpoint, AccessKey = "S3RVER", SecretKey = "S3RVER" };
        using var s3 = new S3ObjectStore(S3Options());
        using var raw = S3ObjectStore.CreateClient(S3Options());
        var s3Bucket = ObjectUri.Parse($"s3://bench-{Environment.ProcessId}");
        await s3.CreateBucketAsync(s3Bucket, cancellationToken);
        var rawGetPath = Path.Combine(options.WorkDirectory, "raw-get.bin");
        var s3GetPath = Path.Combine(options.WorkDirectory, "s3-get.bin");
        var (rawPut, s3Put, rawGet, s3Get) = await MeasureAsync(report, "store_s3", S3Rounds,
            new(() => raw.PutObjectAsync(new PutObjectRequest { BucketName = s3Bucket.Bucket, Key = "raw", FilePath = source, UseChunkEncoding = false }, cancellationToken),
                () => raw.DeleteObjectAsync(s3Bucket.Bucket, "raw", cancellationToken)),
            new(() => PutAsync(s3, s3Bucket.WithKey("sluice"), source, cancellationToken), () => s3.DeleteAsync(s3Bucket.WithKey("sluice"), cancellationToken)),
            new(async () =>
            {
                using var response = await raw.GetObjectAsync(s3Bucket.Bucket, "raw", cancellationToken);
                // Written as Sluice writes files (see EmptyFile), so the baseline pays no ext4 flush on close either.
                await using var file = EmptyFile.OpenWrite(rawGetPath, FileShare.None, 1 << 20);
                await response.ResponseStream.CopyToAsync(file, 1 << 20, cancellationToken);
            }, () => DeleteFile(rawGetPath)),
            new(() => GetAsync(s3, s3Bucket.WithKey("sluice"), s3GetPath, cancellationToken), () => DeleteFile(s3GetPath)));
        report.Value("store_s3_put_ratio", rawPut / s3Put);
        report.Value("store_s3_get_ratio", rawGet / s3Get);
        report.Value("store_s3_put_mib_per_s", size / 1048576.0 / s3Put);
        report.Value("store_s3_get_mib_per_s", size / 1048576.0 / s3Get);
        report.Value("store_s3_raw_put_mib_per_s", size / 1048576.0 / rawPut);
        report.Value("store_s3_raw_get_mib_per_s", size / 1048576.0 / rawGet);
        // For the record: the same put forced through a multipart upload (what MultipartThreshold avoids up to 5 GiB).
        var multipartOptions = S3Options();
        multipartOptions.MultipartThreshold = 0;
        using var multipart = new S3ObjectStore(multipartOptions);
        var multipartPut = await TimeAsync(() => PutAsync(multipart, s3Bucket.WithKey("sluice"), source, cancellationToken));
        report.Value("store_s3_multipart_put_mib_per_s", size / 1048576.0 / multipartPut);
        await s3.DeleteAsync(s3Bucket.WithKey("sluice"), cancellationToken);
        await raw.DeleteObjectAsync(s3Bucket.Bucket, "raw", cancellationToken);
    }

    /// <summary>A copy to measure, and the unmeasured removal of what the previous round's copy wrote.</summary>
    private sealed record Copy(Func<Task> Action, Func<Task> RemovePrevious);

    /// <summary>
    /// Baseline put, Sluice put, baseline get, Sluice get: one unmeasured warm-up round, then
    /// <paramref name="rounds"/> interleaved rounds; the median seconds of each. Every copy writes a new file (the previous
    /// round's removed unmeasured), so both sides create their destination alike.
    /// </summary>
    private static async Task<(double BasePut, double SluicePut, double BaseGet, double SluiceGet)> MeasureAsync(
        BenchReport report, string name, int rounds, Copy basePut, Copy sluicePut, Copy baseGet, Copy sluiceGet)
    {
        var times = new List<double>[] { [], [], [], [] };
        for (var round = 0; round <= rounds; round++)
        {
            // The order of the puts and of the gets flips between rounds so neither side always inherits the other's pages.
            var puts = round % 2 == 0 ? new[] { (0, basePut), (1, sluicePut) } : [(1, sluicePut), (0, basePut)];
            var gets = round % 2 == 0 ? new[] { (2, baseGet), (3, sluiceGet) } : [(3, sluiceGet), (2, baseGet)];
            foreach (var (side, copy) in puts.Concat(gets))
            {
                var seconds = await TimeAsync(copy.Action, round > 0 ? copy.RemovePrevious : null);
                if (round > 0)
                {
                    times[side].Add(seconds);
                }
            }
        }
        string[] sides = ["base_put", "sluice_put", "base_get", "sluice_get"];
        for (var side = 0; side < sides.Length; side++)
        {
            report.Note($"{name} {sides[side]} seconds per round: {string.Join(' ', times[side].Select(t => t.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)))}");
        }
        return (Median(times[0]), Median(times[1]), Median(times[2]), Median(times[3]));
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    /// <summary>
    /// Seconds <paramref name="action"/> takes, started with no dirty pages of the copy before (sync), and
    /// with <paramref name="removePrevious"/> run right before it, after the sync: the pages it frees are then
    /// reused at once. Freed while a sync of a gigabyte ran (a second or more), they were handed back to the
    /// host (the guest reports free memory), and the next copy into them paid a host fault per page: 2-4 s
    /// instead of 0.5, for whichever side's turn it was.
    /// </summary>
    private static async Task<double> TimeAsync(Func<Task> action, Func<Task>? removePrevious = null)
    {
        await RunAsync("sync");
        if (removePrevious is not null)
        {
            await removePrevious();
        }
        var started = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    // Sluice's own file-to-object and object-to-file paths (what packages, mounts, step files and sluice fs cp use).
    private static Task PutAsync(IObjectStore store, ObjectUri uri, string path, CancellationToken cancellationToken) =>
        ObjectTransfer.UploadAsync(path, new ObjectLocation(store, uri), cancellationToken);

    private static Task GetAsync(IObjectStore store, ObjectUri uri, string path, CancellationToken cancellationToken) =>
        ObjectTransfer.DownloadAsync(new ObjectLocation(store, uri), path, cancellationToken);

    private static Task RunCp(string from, string to) => RunAsync("cp", from, to);

    private static Task DeleteFile(string path)
    {
        File.Delete(path);
        return Task.CompletedTask;
    }

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
