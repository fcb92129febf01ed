using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Sluice.Contracts;

namespace Sluice.Client;

/// <summary>
/// The client of the Sluice v1 API: clusters, jobs, tasks, instances and their logs, accounts and access keys, with signed requests,
/// retries, paging and waiters. Thread-safe; create one per endpoint and reuse it. Every method is virtual so a
/// test can substitute a mock created through the protected constructor.
/// </summary>
/// <example>
/// <code>
/// using var client = SluiceClient.FromDefaults();
/// var cluster = await client.CreateClusterAsync(new ClusterRequestBuilder().WithName("etl")
///     .AddInstanceGroup(InstanceRole.Master, "g.small", 1).Build());
/// await client.WaitForClusterReadyAsync(cluster.Value.Id);
/// </code>
/// </example>
public partial class SluiceClient : IDisposable
{
    private readonly SluicePipeline _pipeline = null!;
    private bool _disposed;

    /// <summary>For mocking only: a client whose members are overridden. Calling a member that is not overridden fails.</summary>
    protected SluiceClient()
    {
    }

    /// <summary>Creates a client for an endpoint with default options (region <c>local</c>, 100 s per attempt, 3 retries).</summary>
    /// <param name="endpoint">The service endpoint, such as <c>http://127.0.0.1:8470</c>.</param>
    /// <param name="credentials">The access key that signs requests.</param>
    /// <exception cref="ArgumentException">The endpoint is not an absolute http(s) URI, or a value is null.</exception>
    public SluiceClient(Uri endpoint, SluiceCredentials credentials)
        : this(new SluiceClientOptions { Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint)), Credentials = credentials ?? throw new ArgumentNullException(nameof(credentials)) })
    {
    }

    /// <summary>Creates a client from options; the options are copied.</summary>
    /// <param name="options">The endpoint, credentials, region, timeout, retry policy and transport.</param>
    /// <exception cref="ArgumentException">The options lack credentials or an endpoint, or hold an invalid value.</exception>
    public SluiceClient(SluiceClientOptions options)
    {
        _pipeline = new SluicePipeline(options);
    }

    /// <summary>
    /// Creates a client from the environment (<c>SLUICE_ENDPOINT</c>, <c>SLUICE_ACCESS_KEY_ID</c>,
    /// <c>SLUICE_SECRET_ACCESS_KEY</c>), else from the <c>local</c> profile of <c>~/.sluice/credentials</c>.
    /// </summary>
    /// <param name="configure">Adjusts the resolved options (retries, timeout, ...) before the client is created; default null.</param>
    /// <exception cref="SluiceClientException">No credentials were found.</exception>
    /// <exception cref="ArgumentException">The source gave credentials but no endpoint.</exception>
    public static SluiceClient FromDefaults(Action<SluiceClientOptions>? configure = null)
    {
        var options = SluiceClientOptions.FromDefaults();
        configure?.Invoke(options);
        return new SluiceClient(options);
    }

    /// <summary>Calls <c>GET /healthz</c> (unsigned, retried) and returns the body, <c>ok</c> when the service is up.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="SluiceException">The service is unreachable or unhealthy.</exception>
    public virtual async Task<SluiceResponse<string>> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        var raw = await SendAsync(new SluiceRequest { Method = HttpMethod.Get, Path = "/healthz", Retryable = true, Signed = false }, cancellationToken).ConfigureAwait(false);
        return new SluiceResponse<string>(Encoding.UTF8.GetString(raw.Body).Trim(), raw.Status, raw.RequestId);
    }

    /// <summary>Releases the connections of the client (not those of an <see cref="HttpClient"/> or handler passed in the options).</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (!_disposed && disposing)
        {
            _pipeline?.Dispose();
        }
        _disposed = true;
    }

    internal static void ValidateMaxKeys(int maxKeys, string parameterName)
    {
        if (maxKeys is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(parameterName, maxKeys, "maxKeys must be between 1 and 1000.");
        }
    }

    private static List<string>? ValidateStates(IEnumerable<string>? states, string parameterName)
    {
        if (states is null)
        {
            return null;
        }
        var list = states.ToList();
        if (list.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("A state filter cannot be null or empty.", parameterName);
        }
        return list;
    }

    private Task<SluiceRawResponse> SendAsync(SluiceRequest request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_pipeline is null)
        {
            throw new NotSupportedException("This SluiceClient was created for mocking; override the member you call.");
        }
        return _pipeline.SendAsync(request, cancellationToken);
    }

    private TimeProvider Time => _pipeline?.TimeProvider ?? TimeProvider.System;

    private async Task<SluiceResponse<T>> SendJsonAsync<T>(SluiceRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        var raw = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return new SluiceResponse<T>(Deserialize(raw, typeInfo, request), raw.Status, raw.RequestId);
    }

    private static T Deserialize<T>(SluiceRawResponse raw, JsonTypeInfo<T> typeInfo, SluiceRequest request)
    {
        try
        {
            return JsonSerializer.Deserialize(raw.Body, typeInfo)
                ?? throw new JsonException("The body is JSON null.");
        }
        catch (JsonException e)
        {
            throw new SluiceClientException(
                $"The response to {request} (HTTP {raw.Status}, request id {raw.RequestId ?? "none"}) is not a valid {typeof(T).Name}: {e.Message}", e);
        }
    }

    private Task<SluicePage<T>> GetPageAsync<T>(string path, string? marker, int? maxKeys, IEnumerable<string>? states,
        JsonTypeInfo<ListResponse<T>> typeInfo, CancellationToken cancellationToken) =>
        GetPageAsync(path, marker, maxKeys, states, default, typeInfo, cancellationToken);

    private async Task<SluicePage<T>> GetPageAsync<T>(string path, string? marker, int? maxKeys, IEnumerable<string>? states, CreationWindow created,
        JsonTypeInfo<ListResponse<T>> typeInfo, CancellationToken cancellationToken)
    {
        var request = new SluiceRequest
        {
            Method = HttpMethod.Get,
            Path = path,
            Query = RequestPaths.Query(RequestPaths.ListQuery(marker, maxKeys, states, created)),
            Retryable = true,
        };
        var response = await SendJsonAsync(request, typeInfo, cancellationToken).ConfigureAwait(false);
        var list = response.Value;
        return new SluicePage<T>(list.Items ?? [], list.NextMarker, list.IsTruncated, response.StatusCode, response.RequestId);
    }

    private SluicePageable<T> Pageable<T>(string path, int? pageSize, IEnumerable<string>? states,
        JsonTypeInfo<ListResponse<T>> typeInfo, CancellationToken cancellationToken) =>
        Pageable(path, pageSize, states, default, typeInfo, cancellationToken);

    private SluicePageable<T> Pageable<T>(string path, int? pageSize, IEnumerable<string>? states, CreationWindow created,
        JsonTypeInfo<ListResponse<T>> typeInfo, CancellationToken cancellationToken) =>
        new((marker, hint, token) => GetPageAsync(path, marker, hint ?? pageSize, states, created, typeInfo, token), cancellationToken);

    private static CreationWindow Window(DateTimeOffset? createdAfter, DateTimeOffset? createdBefore)
    {
        if (createdAfter > createdBefore)
        {
            throw new ArgumentException($"createdAfter ({createdAfter:O}) is later than createdBefore ({createdBefore:O}); nothing could match.", nameof(createdAfter));
        }
        return new CreationWindow(createdAfter, createdBefore);
    }

    private static SluiceRequest Get(string path) => new() { Method = HttpMethod.Get, Path = path, Retryable = true };

    private static SluiceRequest Post(string path, byte[]? body, bool retryable) =>
        new() { Method = HttpMethod.Post, Path = path, Body = body, Retryable = retryable };
}
