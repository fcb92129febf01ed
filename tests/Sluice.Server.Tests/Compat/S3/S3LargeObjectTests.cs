using System.Diagnostics;
using Sluice.Contracts;

namespace Sluice.Server.Tests.Compat.S3;

/// <summary>
/// A PUT far above the server's JSON body limit (8 MiB here) goes through, streamed to disk: the server process
/// (this test process) does not grow by the object's size while it arrives, and a GET streams it back.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class S3LargeObjectTests(S3ServerFixture server)
{
    private const long Size = 512L << 20;

    [Fact]
    public async Task PutOf512MiB_IsStreamed_NotBuffered()
    {
        var bucket = "large-" + Guid.NewGuid().ToString("N")[..10];
        using (var created = await S3Http.SendAsync(server.Endpoint, server.Key, HttpMethod.Put, "/" + bucket))
        {
            Assert.Equal(200, (int)created.StatusCode);
        }
        var source = Path.Combine(server.DataDirectory, "large-source.bin");
        await using (var file = new FileStream(source, FileMode.Create))
        {
            var block = new byte[1 << 20];
            new Random(1).NextBytes(block);
            for (var i = 0; i < Size >> 20; i++)
            {
                block[0] = (byte)i;
                await file.WriteAsync(block);
            }
        }
        GC.Collect();
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        var before = self.WorkingSet64;
        long peak = before;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                self.Refresh();
                peak = Math.Max(peak, self.WorkingSet64);
                await Task.Delay(50);
            }
        });

        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        var uri = new Uri(server.Endpoint, $"/{bucket}/large.bin");
        await using (var body = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20))
        {
            using var request = Signed(HttpMethod.Put, uri);
            request.Content = new StreamContent(body, 1 << 20);
            request.Content.Headers.ContentLength = Size;
            using var response = await http.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
        long got = 0;
        using (var request = Signed(HttpMethod.Get, uri))
        using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        await using (var stream = await response.Content.ReadAsStreamAsync())
        {
            var buffer = new byte[1 << 20];
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0)
            {
                got += n;
            }
        }
        await sampling.CancelAsync();
        await sampler;
        File.Delete(source);

        Assert.Equal(Size, got);
        Assert.True(peak - before < 200L << 20, $"the process grew by {(peak - before) >> 20} MiB during a {Size >> 20} MiB PUT and GET");
    }

    private HttpRequestMessage Signed(HttpMethod method, Uri uri)
    {
        var amzDate = SigV4.FormatDate(DateTimeOffset.UtcNow);
        KeyValuePair<string, string>[] headers = [new("host", uri.Authority), new("x-amz-content-sha256", "UNSIGNED-PAYLOAD"), new("x-amz-date", amzDate)];
        var signature = SigV4.ComputeSignature(server.Key.Secret, method.Method, uri.AbsolutePath, "", headers, "UNSIGNED-PAYLOAD", amzDate, "local", "s3");
        var request = new HttpRequestMessage(method, uri);
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
        request.Headers.TryAddWithoutValidation("x-amz-date", amzDate);
        request.Headers.TryAddWithoutValidation("Authorization",
            $"{SigV4.Algorithm} Credential={server.Key.KeyId}/{amzDate[..8]}/local/s3/aws4_request, SignedHeaders={SigV4.SignedHeaderList(headers)}, Signature={signature}");
        return request;
    }
}
