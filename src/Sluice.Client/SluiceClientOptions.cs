namespace Sluice.Client;

/// <summary>
/// Configures a <see cref="SluiceClient"/>. The client copies the options when it is created; changing them
/// afterwards has no effect on that client.
/// </summary>
public sealed class SluiceClientOptions
{
    /// <summary>The region of the signing scope used when none is set: <c>local</c>.</summary>
    public const string DefaultRegion = "local";

    /// <summary>
    /// The service endpoint, such as <c>http://127.0.0.1:8470</c>. A path on it (<c>http://host/sluice/</c>) is kept as
    /// a prefix of every request. Default null: the <see cref="SluiceCredentials.Endpoint"/> of
    /// <see cref="Credentials"/> is used; one of the two is required.
    /// </summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The access key that signs requests. Required; no default.</summary>
    public SluiceCredentials? Credentials { get; set; }

    /// <summary>The region of the SigV4 credential scope. Default <c>local</c>.</summary>
    public string Region { get; set; } = DefaultRegion;

    /// <summary>
    /// How long one attempt (request and response body) may take before it is abandoned and, when the call is
    /// retryable, retried. Default 100 s. <see cref="Timeout.InfiniteTimeSpan"/> disables it.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>The retry policy. Default: 3 retries, 200 ms base delay, 10 s maximum delay.</summary>
    public SluiceRetryOptions Retry { get; set; } = new();

    /// <summary>
    /// An <see cref="System.Net.Http.HttpClient"/> to send requests with, for tests or custom networking. Default
    /// null: the client creates its own. A given client is not disposed by <see cref="SluiceClient.Dispose()"/>,
    /// and its own <see cref="System.Net.Http.HttpClient.Timeout"/> still applies on top of <see cref="Timeout"/>.
    /// </summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>
    /// A message handler to send requests through when <see cref="HttpClient"/> is not set. Default null: a
    /// <see cref="SocketsHttpHandler"/>. A given handler is not disposed by the client.
    /// </summary>
    public HttpMessageHandler? Transport { get; set; }

    /// <summary>The clock for request timestamps, timeouts, retry delays and waiter polling. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Options resolved from the environment, then from the <c>local</c> profile of <c>~/.sluice/credentials</c>
    /// (see <see cref="SluiceCredentials.FromDefaults()"/>), with <see cref="Endpoint"/> taken from the same source.
    /// </summary>
    /// <exception cref="SluiceClientException">Neither source holds credentials.</exception>
    public static SluiceClientOptions FromDefaults()
    {
        var credentials = SluiceCredentials.FromDefaults();
        return new SluiceClientOptions { Credentials = credentials, Endpoint = credentials.Endpoint };
    }
}
