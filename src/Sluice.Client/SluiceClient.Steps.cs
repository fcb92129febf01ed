using System.Text.Json;
using Sluice.Contracts;

namespace Sluice.Client;

public partial class SluiceClient
{
    /// <summary>
    /// Adds steps to a cluster (<c>POST /v1/clusters/{id}/steps</c>, BMR's <c>add_steps</c>, boto's <c>add_jobflow_steps</c>).
    /// They run in order after the cluster's earlier steps. When <see cref="AddStepsRequest.ClientToken"/> is empty the
    /// SDK sends a new GUID as the token (the request object is not modified), so a retried add does not add twice.
    /// </summary>
    /// <param name="clusterId">The cluster id.</param>
    /// <param name="request">The steps; see <see cref="StepBuilder"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new steps' ids, in order.</returns>
    /// <exception cref="SluiceServiceException">
    /// 400 InvalidParameter/MissingParameter (unknown type, missing jar/script/mapper), InputNotFound, ApplicationNotInstalled,
    /// StepLimitExceeded; 409 OutputAlreadyExists or InvalidState (the cluster has ended); 404 ClusterNotFound.
    /// </exception>
    public virtual Task<SluiceResponse<AddStepsResponse>> AddStepsAsync(string clusterId, AddStepsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        ArgumentNullException.ThrowIfNull(request);
        var copy = JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(request, SluiceJsonContext.Default.AddStepsRequest),
            SluiceJsonContext.Default.AddStepsRequest)!;
        if (string.IsNullOrEmpty(copy.ClientToken))
        {
            copy.ClientToken = Guid.NewGuid().ToString();
        }
        var body = JsonSerializer.SerializeToUtf8Bytes(copy, SluiceJsonContext.Default.AddStepsRequest);
        return SendJsonAsync(Post(StepsPath(clusterId), body, retryable: true), SluiceJsonContext.Default.AddStepsResponse, cancellationToken);
    }

    /// <summary>Adds steps to a cluster; see <see cref="AddStepsAsync(string, AddStepsRequest, CancellationToken)"/>.</summary>
    /// <param name="clusterId">The cluster id.</param>
    /// <param name="steps">The steps, built with <see cref="StepBuilder"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual Task<SluiceResponse<AddStepsResponse>> AddStepsAsync(string clusterId, IEnumerable<StepConfig> steps, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(steps);
        return AddStepsAsync(clusterId, new AddStepsRequest { Steps = [.. steps] }, cancellationToken);
    }

    /// <summary>Gets a step (<c>GET /v1/clusters/{id}/steps/{stepId}</c>) with its state and failure details.</summary>
    /// <param name="clusterId">The cluster id.</param>
    /// <param name="stepId">The step id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="SluiceServiceException">404 ClusterNotFound or StepNotFound.</exception>
    public virtual Task<SluiceResponse<StepInfo>> GetStepAsync(string clusterId, string stepId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        ArgumentException.ThrowIfNullOrWhiteSpace(stepId);
        return SendJsonAsync(Get(RequestPaths.Path("v1", "clusters", clusterId, "steps", stepId)), SluiceJsonContext.Default.StepInfo, cancellationToken);
    }

    /// <summary>Lists the steps of a cluster, newest first, reading pages as the enumeration goes.</summary>
    /// <param name="clusterId">The cluster id.</param>
    /// <param name="states">Only steps in these states (see <see cref="StepStates"/>); default null: all.</param>
    /// <param name="pageSize">Items per request (1-1000); default null: 50.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public virtual SluicePageable<StepInfo> ListStepsAsync(string clusterId, IEnumerable<string>? states = null, int? pageSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        var filter = ValidateStates(states, nameof(states));
        if (pageSize is { } size)
        {
            ValidateMaxKeys(size, nameof(pageSize));
        }
        return Pageable(StepsPath(clusterId), pageSize, filter, SluiceJsonContext.Default.ListResponseStepInfo, cancellationToken);
    }

    /// <summary>Reads one page of a cluster's steps, newest first.</summary>
    /// <param name="clusterId">The cluster id.</param>
    /// <param name="marker">The previous page's next marker; default null: the first page.</param>
    /// <param name="maxKeys">Items per page (1-1000); default null: 50.</param>
    /// <param name="states">Only steps in these states; default null: all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual Task<SluicePage<StepInfo>> ListStepsPageAsync(string clusterId, string? marker = null, int? maxKeys = null, IEnumerable<string>? states = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        var filter = ValidateStates(states, nameof(states));
        if (maxKeys is { } keys)
        {
            ValidateMaxKeys(keys, nameof(maxKeys));
        }
        return GetPageAsync(StepsPath(clusterId), marker, maxKeys, filter, SluiceJsonContext.Default.ListResponseStepInfo, cancellationToken);
    }

    /// <summary>
    /// Cancels a step (<c>POST .../steps/{stepId}/cancel</c>): a Pending step ends <c>Cancelled</c>; a Running one is
    /// interrupted (SIGTERM), killed after the server's grace period, and ends <c>Cancelled</c>.
    /// </summary>
    /// <param name="clusterId">The cluster id.</param>
    /// <param name="stepId">The step id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="SluiceServiceException">409 InvalidState when the step has already ended.</exception>
    public virtual Task<SluiceResponse<StepInfo>> CancelStepAsync(string clusterId, string stepId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        ArgumentException.ThrowIfNullOrWhiteSpace(stepId);
        return SendJsonAsync(Post(RequestPaths.Path("v1", "clusters", clusterId, "steps", stepId, "cancel"), null, retryable: true), SluiceJsonContext.Default.StepInfo, cancellationToken);
    }

    /// <summary>Reads a step's log (<c>controller</c>, <c>stdout</c> or <c>stderr</c>) from a byte offset, while it runs and after.</summary>
    /// <param name="clusterId">The cluster id.</param>
    /// <param name="stepId">The step id.</param>
    /// <param name="log">Which log. Default <see cref="StepLogKind.Stdout"/>.</param>
    /// <param name="offset">The first byte to read. Default 0.</param>
    /// <param name="length">How many bytes at most. Default null: 1 MiB.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual Task<SluiceResponse<LogChunk>> ReadStepLogAsync(string clusterId, string stepId, StepLogKind log = StepLogKind.Stdout,
        long offset = 0, int? length = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        ArgumentException.ThrowIfNullOrWhiteSpace(stepId);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is { } len)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(len, nameof(length));
        }
        if (!Enum.IsDefined(log))
        {
            throw new ArgumentOutOfRangeException(nameof(log), log, "Use StepLogKind.Controller, Stdout or Stderr.");
        }
        var path = RequestPaths.Path("v1", "clusters", clusterId, "steps", stepId, "logs", log.ToString().ToLowerInvariant());
        return ReadLogChunkAsync(path, offset, length, cancellationToken);
    }

    /// <summary>Follows a step's log like <c>tail -f</c> until the step has ended and the log is read to its end.</summary>
    /// <param name="clusterId">The cluster id.</param>
    /// <param name="stepId">The step id.</param>
    /// <param name="log">Which log. Default <see cref="StepLogKind.Stdout"/>.</param>
    /// <param name="offset">The first byte to read. Default 0.</param>
    /// <param name="pollInterval">The delay before asking again when no new bytes came. Default null: 1 s.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public virtual IAsyncEnumerable<LogChunk> FollowStepLogAsync(string clusterId, string stepId, StepLogKind log = StepLogKind.Stdout,
        long offset = 0, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        ArgumentException.ThrowIfNullOrWhiteSpace(stepId);
        var interval = pollInterval ?? TimeSpan.FromSeconds(1);
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero, nameof(pollInterval));
        return FollowLogCoreAsync((from, token) => ReadStepLogAsync(clusterId, stepId, log, from, null, token), offset, interval, cancellationToken);
    }

    /// <summary>
    /// Polls a step until it has ended (<c>Completed</c>, <c>Cancelled</c>, <c>Failed</c> or <c>Interrupted</c>) and returns it;
    /// it returns in every case, so check <see cref="StepInfo.State"/> and <see cref="StepInfo.FailureDetails"/>.
    /// </summary>
    /// <param name="clusterId">The cluster id.</param>
    /// <param name="stepId">The step id.</param>
    /// <param name="options">Poll interval and timeout; default null: 1 s growing to 5 s, no timeout.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="TimeoutException"><see cref="WaitOptions.Timeout"/> passed first.</exception>
    public virtual Task<StepInfo> WaitForStepAsync(string clusterId, string stepId, WaitOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        ArgumentException.ThrowIfNullOrWhiteSpace(stepId);
        options ??= new WaitOptions();
        options.Validate();
        return PollAsync(
            async token => (await GetStepAsync(clusterId, stepId, token).ConfigureAwait(false)).Value,
            step => StepStates.IsEnded(step.State),
            step => step.State, $"Step {stepId}", options, cancellationToken);
    }

    private static string StepsPath(string clusterId) => RequestPaths.Path("v1", "clusters", clusterId, "steps");
}
