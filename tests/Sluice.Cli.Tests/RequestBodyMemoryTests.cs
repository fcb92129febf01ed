using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Cli.Tests;

/// <summary>
/// Issue #15 item 6: 70 malformed 40 MB bodies grew a server from 133 MiB to 3.6 GiB and it never gave the memory
/// back. Run against a real `sluice up` process, as its memory is the point.
/// </summary>
public sealed class RequestBodyMemoryTests : IDisposable
{
    private const int Requests = 70;
    private const int BodyBytes = 40_000_000;
    private readonly string root = Directory.CreateTempSubdirectory("sluice-cli-memory-").FullName;

    [Fact]
    public async Task Up_SeventyMalformedFortyMegabyteBodies_RssStaysUnderTwiceIdle()
    {
        var home = Directory.CreateDirectory(Path.Combine(root, "home")).FullName;
        await using var up = await UpProcess.StartAsync(home, Path.Combine(root, "data"));
        var credentials = SluiceCredentials.FromProfile("local", Path.Combine(home, ".sluice", "credentials"));
        await Task.Delay(TimeSpan.FromSeconds(1));
        var idle = RssKiB(up.ProcessId);

        // One unterminated string: the longest JSON value a request can have, which the serializer would buffer whole.
        var body = new byte[BodyBytes];
        Encoding.ASCII.GetBytes("{\"name\":\"").CopyTo(body, 0);
        body.AsSpan(9).Fill((byte)'x');
        var hash = SigV4.HashHex(body);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        for (var i = 0; i < Requests; i++)
        {
            using var request = Signed(up.Endpoint, credentials, body, hash);
            using var response = await http.SendAsync(request, deadline.Token);
            var text = await response.Content.ReadAsStringAsync(deadline.Token);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"request {i}: {response.StatusCode} {text}");
            Assert.Equal(ErrorCodes.MalformedRequest, JsonSerializer.Deserialize(text, SluiceJsonContext.Default.ErrorResponse)!.Code);
        }

        // The runtime may hold freed memory for a moment; it must come back below the bound without any more requests.
        var after = RssKiB(up.ProcessId);
        for (var wait = 0; wait < 20 && after > 2 * idle; wait++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            after = RssKiB(up.ProcessId);
        }
        Assert.True(after <= 2 * idle, $"VmRSS grew from {idle} KiB idle to {after} KiB after {Requests} bodies of {BodyBytes} bytes");
    }

    private static HttpRequestMessage Signed(Uri endpoint, SluiceCredentials credentials, byte[] body, string hash)
    {
        var uri = new Uri(endpoint, "/v1/jobs");
        var message = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var date = SigV4.FormatDate(DateTimeOffset.UtcNow);
        var invocation = Guid.NewGuid().ToString();
        KeyValuePair<string, string>[] headers =
        [
            new(SluiceHeaders.InvocationId, invocation),
            new("host", uri.Authority),
            new(SigV4.ContentHashHeader, hash),
            new(SigV4.DateHeader, date),
        ];
        var signature = SigV4.ComputeSignature(credentials.SecretAccessKey, "POST", uri.AbsolutePath, "", headers, hash, date, SluiceClientOptions.DefaultRegion);
        message.Headers.TryAddWithoutValidation(SluiceHeaders.InvocationId, invocation);
        message.Headers.TryAddWithoutValidation(SigV4.ContentHashHeader, hash);
        message.Headers.TryAddWithoutValidation(SigV4.DateHeader, date);
        message.Headers.TryAddWithoutValidation("Authorization", SigV4.AuthorizationHeader(credentials.AccessKeyId, date, SluiceClientOptions.DefaultRegion, headers, signature));
        return message;
    }

    private static long RssKiB(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
