using System.Diagnostics;
using System.Globalization;
using Sluice.Bench.Foundation;
using Sluice.Contracts;
using Sluice.Core.ObjectStorage;
using Sluice.Streaming;

namespace Sluice.Bench.Compat;

/// <summary>
/// s3api_put_get_ratio: one large file (1 GiB; 128 MiB with --quick) put and got back through the S3 API of a real
/// server on 127.0.0.1, against what <c>sluice fs cp</c> does with the same file in the same run (ObjectTransfer's
/// upload and download on the same server's local store: the kernel copies the file both ways). The ratio is the
/// baseline's put+get seconds over the S3 API's (1 = as fast, higher is better); after a warm-up round each side runs
/// several times, interleaved, and its median is used.
/// </summary>
/// <remarks>
/// The S3 client is HttpClient signing with SigV4 and UNSIGNED-PAYLOAD (what S3 clients send over TLS), the body
/// streamed from the file and the response streamed into one: it measures the server's path, not a client's
/// hashing. The server still reads every byte off the socket, computes its MD5 (the entity tag S3 defines) and writes
/// it, and serves the download from the file through Kestrel.
/// </remarks>
internal sealed class S3ApiBenchmark : IBenchmark
{
    private const int Rounds = 5;
    private const int QuickRounds = 3;

    public string Name => "s3api";

    public string Description => "1 GiB put+get through the S3 API vs sluice fs cp (ObjectTransfer on the local store) of the same file";

    public async Task RunAsync(BenchReport report, BenchOptions options, CancellationToken cancellationToken)
    {
        var size = options.Quick ? 128L << 20 : 1L << 30;
        Directory.CreateDirectory(options.WorkDirectory);
        var source = Path.Combine(options.WorkDirectory, "source.bin");
        await WriteSourceAsync(source, size, cancellationToken);
        report.Value("s3api_bytes", size);

        await using var server = await BenchServer.StartAsync(Path.Combine(options.WorkDirectory, "server"), cancellationToken);
        var store = new LocalObjectStore(Path.Combine(server.DataDirectory, "objects"));
        var fsBucket = ObjectUri.Parse("s3://bench-fs");
        await store.CreateBucketAsync(fsBucket, cancellationToken);
        var fsObject = new ObjectLocation(store, fsBucket.WithKey("blob"));
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        var signer = new S3Signer(server.Endpoint, server.Key.KeyId, server.Key.Secret);
        using (var created = await http.SendAsync(signer.Create(HttpMethod.Put, "/bench-s3", null), cancellationToken))
        {
            created.EnsureSuccessStatusCode();
        }
        var fsGet = Path.Combine(options.WorkDirectory, "fs-get.bin");
        var s3Get = Path.Combine(options.WorkDirectory, "s3-get.bin");

        var fsTimes = new List<double>();
        var s3Times = new List<double>();
        var s3Puts = new List<double>();
        var s3Gets = new List<double>();
        var rounds = options.Quick ? QuickRounds : Rounds;
        for (var round = 0; round <= rounds; round++)
        {
            var sides = round % 2 == 0 ? new[] { true, false } : [false, true];
            foreach (var fs in sides)
            {
                double seconds;
                if (fs)
                {
                    File.Delete(fsGet);
                    await store.DeleteAsync(fsObject.Uri, cancellationToken);
                    seconds = await TimeAsync(() => ObjectTransfer.UploadAsync(source, fsObject, cancellationToken))
                        + await TimeAsync(() => ObjectTransfer.DownloadAsync(fsObject, fsGet, cancellationToken));
                }
                else
                {
                    File.Delete(s3Get);
                    using (var deleted = await http.SendAsync(signer.Create(HttpMethod.Delete, "/bench-s3/blob", null), cancellationToken))
                    {
                        deleted.EnsureSuccessStatusCode();
                    }
                    var put = await TimeAsync(() => PutAsync(http, signer, source, cancellationToken));
                    var get = await TimeAsync(() => GetAsync(http, signer, s3Get, cancellationToken));
                    seconds = put + get;
                    if (round > 0)
                    {
                        s3Puts.Add(put);
                        s3Gets.Add(get);
                    }
                }
                if (round > 0)
                {
                    (fs ? fsTimes : s3Times).Add(seconds);
                }
            }
        }
        if (new FileInfo(s3Get).Length != size)
        {
            throw new InvalidOperationException($"the S3 API returned {new FileInfo(s3Get).Length} bytes of {size}");
        }
        report.Note($"s3api fs_cp put+get seconds per round: {Join(fsTimes)}");
        report.Note($"s3api s3 put+get seconds per round: {Join(s3Times)} (puts {Join(s3Puts)}; gets {Join(s3Gets)})");
        var fsMedian = Median(fsTimes);
        var s3Median = Median(s3Times);
        report.Value("s3api_put_get_ratio", fsMedian / s3Median);
        report.Value("s3api_s3_mib_per_s", 2 * size / 1048576.0 / s3Median);
        report.Value("s3api_fs_cp_mib_per_s", 2 * size / 1048576.0 / fsMedian);
    }

    private static async Task PutAsync(HttpClient http, S3Signer signer, string source, CancellationToken cancellationToken)
    {
        var file = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
            using var request = signer.Create(HttpMethod.Put, "/bench-s3/blob", new StreamContent(file, 1 << 20));
            request.Content!.Headers.ContentLength = file.Length;
            using var response = await http.SendAsync(request, cancellationToken);
            response.EnsureSuccessStatusCode();
        }
    }

    private static async Task GetAsync(HttpClient http, S3Signer signer, string path, CancellationToken cancellationToken)
    {
        using var request = signer.Create(HttpMethod.Get, "/bench-s3/blob", null);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await using (body.ConfigureAwait(false))
        {
            await using var file = EmptyFile.OpenWrite(path, FileShare.None, 1 << 20);
            await body.CopyToAsync(file, 1 << 20, cancellationToken);
        }
    }

    /// <summary>Seconds the action takes, started with no dirty pages of an earlier copy (sync first, as the store benchmark).</summary>
    private static async Task<double> TimeAsync(Func<Task> action)
    {
        using (var sync = Process.Start(new ProcessStartInfo("sync") { UseShellExecute = false })!)
        {
            await sync.WaitForExitAsync();
        }
        var started = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static async Task WriteSourceAsync(string path, long size, CancellationToken cancellationToken)
    {
        var block = new byte[1 << 20];
        new Random(42).NextBytes(block);
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        for (long written = 0; written < size; written += block.Length)
        {
            block[0]++;
            await file.WriteAsync(block, cancellationToken);
        }
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    private static string Join(IEnumerable<double> values) => string.Join(' ', values.Select(v => v.ToString("0.00", CultureInfo.InvariantCulture)));

    /// <summary>SigV4 for service s3 with UNSIGNED-PAYLOAD, path-style.</summary>
    private sealed class S3Signer(Uri endpoint, string keyId, string secret)
    {
        public HttpRequestMessage Create(HttpMethod method, string path, HttpContent? content)
        {
            var uri = new Uri(endpoint, path);
            var amzDate = SigV4.FormatDate(DateTimeOffset.UtcNow);
            const string Payload = "UNSIGNED-PAYLOAD";
            KeyValuePair<string, string>[] signed = [new("host", uri.Authority), new(SigV4.ContentHashHeader, Payload), new(SigV4.DateHeader, amzDate)];
            var signature = SigV4.ComputeSignature(secret, method.Method, uri.AbsolutePath, "", signed, Payload, amzDate, "local", "s3");
            var message = new HttpRequestMessage(method, uri) { Content = content };
            message.Headers.TryAddWithoutValidation(SigV4.ContentHashHeader, Payload);
            message.Headers.TryAddWithoutValidation(SigV4.DateHeader, amzDate);
            message.Headers.TryAddWithoutValidation("Authorization",
                $"{SigV4.Algorithm} Credential={keyId}/{amzDate[..8]}/local/s3/aws4_request, SignedHeaders={SigV4.SignedHeaderList(signed)}, Signature={signature}");
            return message;
        }
    }
}
