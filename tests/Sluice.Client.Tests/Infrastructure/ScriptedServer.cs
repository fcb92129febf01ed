using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Client.Tests.Infrastructure;

/// <summary>
/// A real Kestrel server on 127.0.0.1 that verifies SigV4 exactly as the Sluice server does (over the raw,
/// percent-encoded request target) and answers with scripted replies.
/// </summary>
public sealed class ScriptedServer : IAsyncDisposable
{
    public const string AccessKeyId = "AKIDTEST";
    public const string Secret = "test/secret+key=";
    public const string Region = "local";

    private readonly WebApplication _app;
    private int _requestCount;

    private ScriptedServer(WebApplication app)
    {
        _app = app;
    }

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Every request that reached the handler (signature valid), in arrival order.</summary>
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Why signed requests were rejected; empty when every signature verified.</summary>
    public ConcurrentQueue<string> SignatureFailures { get; } = new();

    /// <summary>Answers a verified request. Default: 404 NotFound.</summary>
    public Func<RecordedRequest, Task<Reply>> Handler { get; set; } = _ => Task.FromResult(Reply.Error(404, ErrorCodes.NotFound, "No scripted route."));

    public int RequestCount => Volatile.Read(ref _requestCount);

    public static async Task<ScriptedServer> StartAsync(Func<RecordedRequest, Reply>? handler = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new ScriptedServer(app);
        if (handler is not null)
        {
            server.Handle(handler);
        }
        app.Run(server.ServeAsync);
        await app.StartAsync();
        server.Endpoint = new Uri(app.Urls.Single());
        return server;
    }

    public void Handle(Func<RecordedRequest, Reply> handler) => Handler = r => Task.FromResult(handler(r));

    public SluiceClient CreateClient(Action<SluiceClientOptions>? configure = null, string secret = Secret)
    {
        var options = new SluiceClientOptions
        {
            Endpoint = Endpoint,
            Credentials = new SluiceCredentials(AccessKeyId, secret),
            Retry = new SluiceRetryOptions { MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) },
        };
        configure?.Invoke(options);
        return new SluiceClient(options);
    }

    private async Task ServeAsync(HttpContext context)
    {
        var number = Interlocked.Increment(ref _requestCount);
        var requestId = $"req-{number}";
        context.Response.Headers[SluiceHeaders.RequestId] = requestId;

        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();
        var rawTarget = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var q = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = q < 0 ? rawTarget : rawTarget[..q];
        var rawQuery = q < 0 ? "" : rawTarget[(q + 1)..];

        if (context.Request.Path != "/healthz")
        {
            var failure = Verify(context.Request, rawPath, rawQuery, body);
            if (failure is not null)
            {
                SignatureFailures.Enqueue(failure.Value.Message);
                await Write(context, Reply.Error(failure.Value.Status, failure.Value.Code, failure.Value.Message), requestId);
                return;
            }
        }

        var recorded = new RecordedRequest(
            number,
            context.Request.Method,
            rawPath,
            rawQuery,
            rawPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray(),
            ParseQuery(rawQuery),
            body,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            context.RequestAborted);
        Requests.Enqueue(recorded);
        var reply = await Handler(recorded);
        await Write(context, reply, requestId);
    }

    private static async Task Write(HttpContext context, Reply reply, string requestId)
    {
        context.Response.StatusCode = reply.Status;
        foreach (var (name, value) in reply.Headers)
        {
            context.Response.Headers[name] = value;
        }
        if (reply.Body.Length > 0)
        {
            context.Response.ContentType = reply.ContentType;
            var body = reply.Body;
            if (reply.FillRequestId)
            {
                body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("{requestId}", requestId, StringComparison.Ordinal));
            }
            await context.Response.Body.WriteAsync(body);
        }
    }

    private static (int Status, string Code, string Message)? Verify(HttpRequest request, string rawPath, string rawQuery, byte[] body)
    {
        var auth = SigV4.ParseAuthorization(request.Headers.Authorization.ToString());
        if (auth is null)
        {
            return (401, ErrorCodes.MissingAuthentication, "No SigV4 Authorization header.");
        }
        if (auth.AccessKeyId != AccessKeyId)
        {
            return (403, ErrorCodes.InvalidAccessKeyId, $"Unknown key {auth.AccessKeyId}.");
        }
        foreach (var required in new[] { "host", SigV4.ContentHashHeader, SigV4.DateHeader })
        {
            if (!auth.SignedHeaders.Contains(required))
            {
                return (403, ErrorCodes.SignatureDoesNotMatch, $"Header {required} is not signed.");
            }
        }
        if (!auth.SignedHeaders.SequenceEqual(auth.SignedHeaders.Order(StringComparer.Ordinal)))
        {
            return (403, ErrorCodes.SignatureDoesNotMatch, "Signed headers are not sorted.");
        }
        var amzDate = request.Headers[SigV4.DateHeader].ToString();
        if (!SigV4.TryParseDate(amzDate, out var time) || (DateTimeOffset.UtcNow - time).Duration() > TimeSpan.FromMinutes(15))
        {
            return (403, ErrorCodes.RequestExpired, $"Bad or expired {SigV4.DateHeader} '{amzDate}'.");
        }
        var payloadHash = SigV4.HashHex(body);
        if (request.Headers[SigV4.ContentHashHeader].ToString() != payloadHash)
        {
            return (403, ErrorCodes.SignatureDoesNotMatch, "The payload hash does not match the body.");
        }
        var headers = auth.SignedHeaders
            .Select(name => new KeyValuePair<string, string>(name, request.Headers[name].ToString()))
            .ToList();
        var expected = SigV4.ComputeSignature(Secret, request.Method, rawPath, rawQuery, headers, payloadHash, amzDate, auth.Region);
        if (auth.Region != Region || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(auth.Signature)))
        {
            return (403, ErrorCodes.SignatureDoesNotMatch, $"Signature mismatch for {request.Method} {rawPath}?{rawQuery}.");
        }
        return null;
    }

    private static List<KeyValuePair<string, string>> ParseQuery(string rawQuery) =>
        rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(part =>
            {
                var eq = part.IndexOf('=', StringComparison.Ordinal);
                return eq < 0
                    ? new KeyValuePair<string, string>(Uri.UnescapeDataString(part), "")
                    : new KeyValuePair<string, string>(Uri.UnescapeDataString(part[..eq]), Uri.UnescapeDataString(part[(eq + 1)..]));
            })
            .ToList();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
