using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Reflection;
using Sluice.Contracts;

namespace Sluice.Client;

/// <summary>Sends requests: signs each attempt with SigV4, applies the per-attempt timeout and the retry policy.</summary>
internal sealed class SluicePipeline : IDisposable
{
    private static readonly string UserAgent =
        "sluice-sdk-dotnet/" + (typeof(SluicePipeline).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0");

    private static readonly UriCreationOptions NoCanonicalization = new() { DangerousDisablePathAndQueryCanonicalization = true };

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly string _baseUri;
    private readonly SluiceCredentials _credentials;
    private readonly string _region;
    private readonly TimeSpan _timeout;
    private readonly SluiceRetryOptions _retry;

    public SluicePipeline(SluiceClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _credentials = options.Credentials
            ?? throw new ArgumentException("SluiceClientOptions.Credentials is required (see SluiceCredentials.FromDefaults()).", nameof(options));
        var endpoint = options.Endpoint ?? _credentials.Endpoint
            ?? throw new ArgumentException("SluiceClientOptions.Endpoint is required when the credentials carry no endpoint.", nameof(options));
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The endpoint '{endpoint}' is not an absolute http or https URI.", nameof(options));
        }
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Region, "options.Region");
        if (options.Timeout <= TimeSpan.Zero && options.Timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Timeout, "SluiceClientOptions.Timeout must be positive or Timeout.InfiniteTimeSpan.");
        }
        ArgumentNullException.ThrowIfNull(options.Retry, "options.Retry");
        options.Retry.Validate();

        _baseUri = endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/');
        _region = options.Region;
        _timeout = options.Timeout;
        _retry = options.Retry.Clone();
        TimeProvider = options.TimeProvider ?? TimeProvider.System;
        if (options.HttpClient is not null)
        {
            _http = options.HttpClient;
        }
        else
        {
            _http = options.Transport is not null
                ? new HttpClient(options.Transport, disposeHandler: false)
                : new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, disposeHandler: true);
            _http.Timeout = Timeout.InfiniteTimeSpan;
            _ownsHttp = true;
        }
    }

    public TimeProvider TimeProvider { get; }

    public async Task<SluiceRawResponse> SendAsync(SluiceRequest request, CancellationToken cancellationToken)
    {
        var maxAttempts = request.Retryable ? _retry.MaxRetries + 1 : 1;
        var invocationId = Guid.NewGuid().ToString();
        for (var attempt = 1; ; attempt++)
        {
            SluiceException failure;
            TimeSpan? retryAfter = null;
            try
            {
                var response = await SendOnceAsync(request, invocationId, attempt, maxAttempts, cancellationToken).ConfigureAwait(false);
                if (response.Status is >= 200 and < 300)
                {
                    return response;
                }
                failure = SluiceServiceException.FromResponse(response.Status, null, response.RequestId, response.Body);
                if (!IsRetryableStatus(response.Status))
                {
                    failure.Attempts = attempt;
                    throw failure;
                }
                retryAfter = RetryAfter(response.Headers);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                failure = new SluiceClientException($"{request} timed out after {_timeout.TotalSeconds:0.###} s.", new TimeoutException(e.Message, e));
            }
            catch (HttpRequestException e)
            {
                failure = new SluiceClientException($"{request} failed: {e.Message}", e);
            }
            catch (IOException e)
            {
                failure = new SluiceClientException($"{request} failed while reading the response: {e.Message}", e);
            }

            failure.Attempts = attempt;
            if (attempt >= maxAttempts)
            {
                throw failure;
            }
            await Task.Delay(Backoff(attempt, retryAfter), TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    internal static bool IsRetryableStatus(int status) => status is 429 or 500 or 502 or 503 or 504;

    internal TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        var ceiling = Math.Min(_retry.MaxDelay.TotalMilliseconds, _retry.BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        var delay = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
        if (retryAfter is { } hint && hint > delay)
        {
            delay = hint < _retry.MaxDelay ? hint : _retry.MaxDelay;
        }
        return delay;
    }

    private TimeSpan? RetryAfter(HttpResponseHeaders headers)
    {
        var header = headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }
        if (header?.Date is { } date)
        {
            var wait = date - TimeProvider.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }

    private async Task<SluiceRawResponse> SendOnceAsync(SluiceRequest request, string invocationId, int attempt, int maxAttempts, CancellationToken cancellationToken)
    {
        using var timeout = _timeout == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(_timeout, TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);

        // The path and query are percent-encoded already; canonicalisation would decode %2E dot segments and collapse them.
        var uri = new Uri(_baseUri + request.Path + (request.Query.Length > 0 ? "?" + request.Query : ""), NoCanonicalization);
        using var message = new HttpRequestMessage(request.Method, uri);
        var body = request.Body ?? [];
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(body);
            message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }
        message.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        if (request.Signed)
        {
            Sign(message, uri, body, invocationId, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"attempt={attempt}; max={maxAttempts}"));
        }

        using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
        var requestId = response.Headers.TryGetValues(SluiceHeaders.RequestId, out var ids) ? ids.FirstOrDefault() : null;
        return new SluiceRawResponse((int)response.StatusCode, requestId, bytes, response.Headers);
    }

    // The derived key depends only on the date (the secret and region are fixed for this client):
    // derive it once a day instead of four HMACs per request. Swapped as one immutable pair.
    private Tuple<string, byte[]>? _signingKey;

    private byte[] SigningKey(string date)
    {
        var current = Volatile.Read(ref _signingKey);
        if (current is null || current.Item1 != date)
        {
            current = Tuple.Create(date, SigV4.DeriveSigningKey(_credentials.SecretAccessKey, date, _region));
            Volatile.Write(ref _signingKey, current);
        }
        return current.Item2;
    }

    // Each attempt is signed afresh and signs the call's id and its attempt number: the server accepts a changing
    // request once, so a retry (even within the same second as the first try) and a second identical call must
    // differ from the requests already sent.
    private void Sign(HttpRequestMessage message, Uri uri, byte[] body, string invocationId, string attempt)
    {
        message.Headers.Host = uri.Authority;
        foreach (var (name, value) in SignatureHeaders(message.Method.Method, uri, body, invocationId, attempt))
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }
    }

    /// <summary>The headers that sign a request (all but host, which the transport sends as the URI's authority), Authorization last.</summary>
    private List<KeyValuePair<string, string>> SignatureHeaders(string method, Uri uri, byte[] body, string invocationId, string attempt)
    {
        var amzDate = SigV4.FormatDate(TimeProvider.GetUtcNow());
        var payloadHash = SigV4.HashHex(body);
        KeyValuePair<string, string>[] signed =
        [
            new(SluiceHeaders.InvocationId, invocationId),
            new(SluiceHeaders.Attempt, attempt),
            new("host", uri.Authority),
            new(SigV4.ContentHashHeader, payloadHash),
            new(SigV4.DateHeader, amzDate),
        ];
        // Sign the path and query exactly as they go on the wire: Uri keeps them percent-encoded.
        var query = uri.Query.Length > 0 ? uri.Query[1..] : "";
        var signature = SigV4.ComputeSignature(SigningKey(amzDate[..8]), method, uri.AbsolutePath, query, signed, payloadHash, amzDate, _region);
        return
        [
            new(SluiceHeaders.InvocationId, invocationId),
            new(SluiceHeaders.Attempt, attempt),
            new(SigV4.ContentHashHeader, payloadHash),
            new(SigV4.DateHeader, amzDate),
            new("Authorization", SigV4.AuthorizationHeader(_credentials.AccessKeyId, amzDate, _region, signed, signature)),
        ];
    }

    private SocketsHttpHandler? _webSocketHandler;

    /// <summary>
    /// Opens a WebSocket to a GET route, its upgrade request signed like any call. Not retried: the server starts something
    /// for each accepted upgrade. A refused upgrade throws the service's error as every call does.
    /// </summary>
    public async Task<WebSocket> ConnectWebSocketAsync(SluiceRequest request, CancellationToken cancellationToken)
    {
        var uri = new Uri(_baseUri + request.Path + (request.Query.Length > 0 ? "?" + request.Query : ""), NoCanonicalization);
        var socketUri = new Uri((uri.Scheme == Uri.UriSchemeHttps ? "wss" : "ws") + uri.OriginalString[uri.Scheme.Length..], NoCanonicalization);
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("User-Agent", UserAgent);
        foreach (var (name, value) in SignatureHeaders("GET", uri, [], Guid.NewGuid().ToString(), "attempt=1; max=1"))
        {
            socket.Options.SetRequestHeader(name, value);
        }
        var handler = LazyInitializer.EnsureInitialized(ref _webSocketHandler, () => new SocketsHttpHandler());
        var refusal = new UpgradeRefusal(handler);
        using var invoker = new HttpMessageInvoker(refusal, disposeHandler: false);
        using var timeout = _timeout == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(_timeout, TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await socket.ConnectAsync(socketUri, invoker, linked.Token).ConfigureAwait(false);
            return socket;
        }
        catch (WebSocketException) when (refusal.Status is { } status)
        {
            socket.Dispose();
            throw SluiceServiceException.FromResponse(status, null, refusal.RequestId, refusal.Body);
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            socket.Dispose();
            throw new SluiceClientException($"{request} failed: {e.Message}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Keeps the answer to an upgrade the server refused: ClientWebSocket reports only that it failed.</summary>
    private sealed class UpgradeRefusal(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public int? Status { get; private set; }
        public string? RequestId { get; private set; }
        public byte[] Body { get; private set; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != System.Net.HttpStatusCode.SwitchingProtocols)
            {
                Body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                RequestId = response.Headers.TryGetValues(SluiceHeaders.RequestId, out var ids) ? ids.FirstOrDefault() : null;
                Status = (int)response.StatusCode;
            }
            return response;
        }
    }

    public void Dispose()
    {
        _webSocketHandler?.Dispose();
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }
}
