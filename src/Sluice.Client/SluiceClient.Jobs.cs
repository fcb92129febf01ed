using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Sluice.Contracts;

namespace Sluice.Client;

public partial class SluiceClient
{
    /// <summary>The largest log read the service serves in one response, and the default read length: 1 MiB.</summary>
    public const int DefaultLogReadLength = 1024 * 1024;

    /// <summary>
    /// Submits a job (<c>POST /v1/jobs</c>). When <see cref="CreateJobRequest.ClientToken"/> is empty the SDK sends a
    /// new GUID as the token (the request object is not modified), which makes the call safe to retry.
    /// </summary>
    /// <param name="request">The job; see <see cref="JobRequestBuilder"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new job, usually <c>Waiting</c>.</returns>
    /// <exception cref="SluiceServiceException">The service refused the job (DagCycle, UnknownTask, ClusterNotFound, ...).</exception>
    public virtual Task<SluiceResponse<JobInfo>> CreateJobAsync(CreateJobRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var copy = JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(request, SluiceJsonContext.Default.CreateJobRequest),
            SluiceJsonContext.Default.CreateJobRequest)!;
        if (string.IsNullOrEmpty(copy.ClientToken))
        {
            copy.ClientToken = Guid.NewGuid().ToString();
        }
        var body = JsonSerializer.SerializeToUtf8Bytes(copy, SluiceJsonContext.Default.CreateJobRequest);
        return SendJsonAsync(Post("/v1/jobs", body, retryable: true), SluiceJsonContext.Default.JobInfo, cancellationToken);
    }

    /// <summary>Gets a job (<c>GET /v1/jobs/{id}</c>).</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="jobId"/> is null or empty.</exception>
    /// <exception cref="SluiceServiceException">404 JobNotFound, or another service error.</exception>
    public virtual Task<SluiceResponse<JobInfo>> GetJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        return SendJsonAsync(Get(RequestPaths.Path("v1", "jobs", jobId)), SluiceJsonContext.Default.JobInfo, cancellationToken);
    }

    /// <summary>Lists the jobs of the account, reading pages as the enumeration goes.</summary>
    /// <param name="states">Only jobs in these states (see <see cref="JobStates"/>); default null: all.</param>
    /// <param name="pageSize">Items per request (1-1000); default null: 50.</param>
    /// <param name="createdAfter">Only jobs created at or after this time; default null: no lower bound.</param>
    /// <param name="createdBefore">Only jobs created at or before this time; default null: no upper bound.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <exception cref="ArgumentException">A state is empty or <paramref name="pageSize"/> is outside 1-1000, or <c>createdAfter</c> is later than <c>createdBefore</c>.</exception>
    public virtual SluicePageable<JobInfo> ListJobsAsync(IEnumerable<string>? states = null, int? pageSize = null, DateTimeOffset? createdAfter = null, DateTimeOffset? createdBefore = null, CancellationToken cancellationToken = default)
    {
        var filter = ValidateStates(states, nameof(states));
        if (pageSize is { } size)
        {
            ValidateMaxKeys(size, nameof(pageSize));
        }
        return Pageable("/v1/jobs", pageSize, filter, Window(createdAfter, createdBefore), SluiceJsonContext.Default.ListResponseJobInfo, cancellationToken);
    }

    /// <summary>Reads one page of jobs.</summary>
    /// <param name="marker">The previous page's next marker; default null: the first page.</param>
    /// <param name="maxKeys">Items per page (1-1000); default null: 50.</param>
    /// <param name="states">Only jobs in these states; default null: all.</param>
    /// <param name="createdAfter">Only jobs created at or after this time; default null: no lower bound.</param>
    /// <param name="createdBefore">Only jobs created at or before this time; default null: no upper bound.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException">A state is empty or <paramref name="maxKeys"/> is outside 1-1000, or <c>createdAfter</c> is later than <c>createdBefore</c>.</exception>
    public virtual Task<SluicePage<JobInfo>> ListJobsPageAsync(string? marker = null, int? maxKeys = null, IEnumerable<string>? states = null, DateTimeOffset? createdAfter = null, DateTimeOffset? createdBefore = null, CancellationToken cancellationToken = default)
    {
        var filter = ValidateStates(states, nameof(states));
        if (maxKeys is { } keys)
        {
            ValidateMaxKeys(keys, nameof(maxKeys));
        }
        return GetPageAsync("/v1/jobs", marker, maxKeys, filter, Window(createdAfter, createdBefore), SluiceJsonContext.Default.ListResponseJobInfo, cancellationToken);
    }

    /// <summary>Stops a job (<c>POST /v1/jobs/{id}/stop</c>): running instances are killed, the job ends <c>Stopped</c>. Idempotent, so retried.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="jobId"/> is null or empty.</exception>
    public virtual Task<SluiceResponse<JobInfo>> StopJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        return SendJsonAsync(Post(RequestPaths.Path("v1", "jobs", jobId, "stop"), null, retryable: true), SluiceJsonContext.Default.JobInfo, cancellationToken);
    }

    /// <summary>Restarts a stopped or failed job (<c>POST /v1/jobs/{id}/restart</c>). Idempotent, so retried.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="jobId"/> is null or empty.</exception>
    public virtual Task<SluiceResponse<JobInfo>> RestartJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        return SendJsonAsync(Post(RequestPaths.Path("v1", "jobs", jobId, "restart"), null, retryable: true), SluiceJsonContext.Default.JobInfo, cancellationToken);
    }

    /// <summary>Deletes a job and its records (<c>DELETE /v1/jobs/{id}</c>, 204).</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="jobId"/> is null or empty.</exception>
    /// <exception cref="SluiceServiceException">409 InvalidState while the job runs, or another service error.</exception>
    public virtual async Task<SluiceResponse> DeleteJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        var raw = await SendAsync(new SluiceRequest { Method = HttpMethod.Delete, Path = RequestPaths.Path("v1", "jobs", jobId), Retryable = true },
            cancellationToken).ConfigureAwait(false);
        return new SluiceResponse(raw.Status, raw.RequestId);
    }

    /// <summary>Lists the state changes of a job and its tasks and instances, oldest first (<c>GET /v1/jobs/{id}/events</c>).</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="pageSize">Items per request (1-1000); default null: 50.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <exception cref="ArgumentException"><paramref name="jobId"/> is null or empty, or <paramref name="pageSize"/> is outside 1-1000.</exception>
    public virtual SluicePageable<StateEventInfo> ListJobEventsAsync(string jobId, int? pageSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        if (pageSize is { } size)
        {
            ValidateMaxKeys(size, nameof(pageSize));
        }
        return Pageable(RequestPaths.Path("v1", "jobs", jobId, "events"), pageSize, null, SluiceJsonContext.Default.ListResponseStateEventInfo, cancellationToken);
    }

    /// <summary>Reads one page of the state changes of a job.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="marker">The previous page's next marker; default null: the first page.</param>
    /// <param name="maxKeys">Items per page (1-1000); default null: 50.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="jobId"/> is null or empty, or <paramref name="maxKeys"/> is outside 1-1000.</exception>
    public virtual Task<SluicePage<StateEventInfo>> ListJobEventsPageAsync(string jobId, string? marker = null, int? maxKeys = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        if (maxKeys is { } keys)
        {
            ValidateMaxKeys(keys, nameof(maxKeys));
        }
        return GetPageAsync(RequestPaths.Path("v1", "jobs", jobId, "events"), marker, maxKeys, null, SluiceJsonContext.Default.ListResponseStateEventInfo, cancellationToken);
    }

    /// <summary>Lists the tasks of a job (<c>GET /v1/jobs/{id}/tasks</c>).</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="pageSize">Items per request (1-1000); default null: 50.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <exception cref="ArgumentException"><paramref name="jobId"/> is null or empty, or <paramref name="pageSize"/> is outside 1-1000.</exception>
    public virtual SluicePageable<TaskInfo> ListTasksAsync(string jobId, int? pageSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        if (pageSize is { } size)
        {
            ValidateMaxKeys(size, nameof(pageSize));
        }
        return Pageable(RequestPaths.Path("v1", "jobs", jobId, "tasks"), pageSize, null, SluiceJsonContext.Default.ListResponseTaskInfo, cancellationToken);
    }

    /// <summary>Reads one page of the tasks of a job.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="marker">The previous page's next marker; default null: the first page.</param>
    /// <param name="maxKeys">Items per page (1-1000); default null: 50.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="jobId"/> is null or empty, or <paramref name="maxKeys"/> is outside 1-1000.</exception>
    public virtual Task<SluicePage<TaskInfo>> ListTasksPageAsync(string jobId, string? marker = null, int? maxKeys = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        if (maxKeys is { } keys)
        {
            ValidateMaxKeys(keys, nameof(maxKeys));
        }
        return GetPageAsync(RequestPaths.Path("v1", "jobs", jobId, "tasks"), marker, maxKeys, null, SluiceJsonContext.Default.ListResponseTaskInfo, cancellationToken);
    }

    /// <summary>Gets a task of a job (<c>GET /v1/jobs/{id}/tasks/{task}</c>); the task name may contain any character.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="taskName">The task name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException">An argument is null or empty.</exception>
    /// <exception cref="SluiceServiceException">404 TaskNotFound, or another service error.</exception>
    public virtual Task<SluiceResponse<TaskInfo>> GetTaskAsync(string jobId, string taskName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        ArgumentException.ThrowIfNullOrEmpty(taskName);
        return SendJsonAsync(Get(RequestPaths.Path("v1", "jobs", jobId, "tasks", taskName)), SluiceJsonContext.Default.TaskInfo, cancellationToken);
    }

    /// <summary>Lists the instances of a task (<c>GET /v1/jobs/{id}/tasks/{task}/instances</c>).</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="taskName">The task name.</param>
    /// <param name="states">Only instances in these states (see <see cref="JobStates"/>); default null: all.</param>
    /// <param name="pageSize">Items per request (1-1000); default null: 50.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <exception cref="ArgumentException">An argument is null or empty, or <paramref name="pageSize"/> is outside 1-1000.</exception>
    public virtual SluicePageable<InstanceInfo> ListInstancesAsync(string jobId, string taskName, IEnumerable<string>? states = null, int? pageSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        ArgumentException.ThrowIfNullOrEmpty(taskName);
        var filter = ValidateStates(states, nameof(states));
        if (pageSize is { } size)
        {
            ValidateMaxKeys(size, nameof(pageSize));
        }
        return Pageable(RequestPaths.Path("v1", "jobs", jobId, "tasks", taskName, "instances"), pageSize, filter, SluiceJsonContext.Default.ListResponseInstanceInfo, cancellationToken);
    }

    /// <summary>Reads one page of the instances of a task.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="taskName">The task name.</param>
    /// <param name="marker">The previous page's next marker; default null: the first page.</param>
    /// <param name="maxKeys">Items per page (1-1000); default null: 50.</param>
    /// <param name="states">Only instances in these states; default null: all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException">An argument is null or empty, or <paramref name="maxKeys"/> is outside 1-1000.</exception>
    public virtual Task<SluicePage<InstanceInfo>> ListInstancesPageAsync(string jobId, string taskName, string? marker = null, int? maxKeys = null, IEnumerable<string>? states = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        ArgumentException.ThrowIfNullOrEmpty(taskName);
        var filter = ValidateStates(states, nameof(states));
        if (maxKeys is { } keys)
        {
            ValidateMaxKeys(keys, nameof(maxKeys));
        }
        return GetPageAsync(RequestPaths.Path("v1", "jobs", jobId, "tasks", taskName, "instances"), marker, maxKeys, filter, SluiceJsonContext.Default.ListResponseInstanceInfo, cancellationToken);
    }

    /// <summary>Gets one instance of a task (<c>GET /v1/jobs/{id}/tasks/{task}/instances/{index}</c>).</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="taskName">The task name.</param>
    /// <param name="instanceIndex">The instance index, from 0.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException">An argument is null or empty, or the index is negative.</exception>
    public virtual Task<SluiceResponse<InstanceInfo>> GetInstanceAsync(string jobId, string taskName, int instanceIndex, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        ArgumentException.ThrowIfNullOrEmpty(taskName);
        ArgumentOutOfRangeException.ThrowIfNegative(instanceIndex);
        return SendJsonAsync(Get(InstancePath(jobId, taskName, instanceIndex)), SluiceJsonContext.Default.InstanceInfo, cancellationToken);
    }

    /// <summary>
    /// Reads bytes of an instance's stdout or stderr from an offset
    /// (<c>GET .../instances/{index}/logs/{stdout|stderr}?offset=N&amp;length=M</c>).
    /// </summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="taskName">The task name.</param>
    /// <param name="instanceIndex">The instance index, from 0.</param>
    /// <param name="stream">Which output. Default <see cref="LogStream.Stdout"/>.</param>
    /// <param name="offset">The first byte to read. Default 0.</param>
    /// <param name="length">How many bytes at most. Default null: the service default of 1 MiB.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The bytes, the log's total size and whether it is complete; <see cref="LogChunk.NextOffset"/> is where to read next.</returns>
    /// <exception cref="ArgumentException">An argument is null or empty, or a number is out of range.</exception>
    public virtual async Task<SluiceResponse<LogChunk>> ReadLogAsync(string jobId, string taskName, int instanceIndex, LogStream stream = LogStream.Stdout,
        long offset = 0, int? length = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        ArgumentException.ThrowIfNullOrEmpty(taskName);
        ArgumentOutOfRangeException.ThrowIfNegative(instanceIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is { } len)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(len, nameof(length));
        }
        if (!Enum.IsDefined(stream))
        {
            throw new ArgumentOutOfRangeException(nameof(stream), stream, "Use LogStream.Stdout or LogStream.Stderr.");
        }

        return await ReadLogChunkAsync(InstancePath(jobId, taskName, instanceIndex) + "/logs/" + (stream == LogStream.Stdout ? "stdout" : "stderr"),
            offset, length, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>GETs a log resource from a byte offset: the bytes, the log's size and whether it is complete.</summary>
    private async Task<SluiceResponse<LogChunk>> ReadLogChunkAsync(string path, long offset, int? length, CancellationToken cancellationToken)
    {
        var query = new List<KeyValuePair<string, string>> { new("offset", offset.ToString(CultureInfo.InvariantCulture)) };
        if (length is { } l)
        {
            query.Add(new("length", l.ToString(CultureInfo.InvariantCulture)));
        }
        var request = new SluiceRequest
        {
            Method = HttpMethod.Get,
            Path = path,
            Query = RequestPaths.Query(query),
            Retryable = true,
        };
        var raw = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        var total = long.TryParse(raw.Header(SluiceHeaders.LogSize), NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            ? size
            : offset + raw.Body.Length;
        var complete = string.Equals(raw.Header(SluiceHeaders.LogComplete), "true", StringComparison.OrdinalIgnoreCase);
        return new SluiceResponse<LogChunk>(new LogChunk(raw.Body, offset, total, complete), raw.Status, raw.RequestId);
    }

    /// <summary>
    /// Follows an instance log like <c>tail -f</c>: yields each new chunk of bytes from <paramref name="offset"/> on,
    /// polling while the log is still growing, and ends once the log is complete and read to its end.
    /// </summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="taskName">The task name.</param>
    /// <param name="instanceIndex">The instance index, from 0.</param>
    /// <param name="stream">Which output. Default <see cref="LogStream.Stdout"/>.</param>
    /// <param name="offset">The first byte to read. Default 0.</param>
    /// <param name="pollInterval">The delay before asking again when no new bytes came. Default null: 1 s.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <exception cref="ArgumentException">An argument is null or empty, or a number is out of range.</exception>
    public virtual IAsyncEnumerable<LogChunk> FollowLogAsync(string jobId, string taskName, int instanceIndex, LogStream stream = LogStream.Stdout,
        long offset = 0, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        ArgumentException.ThrowIfNullOrEmpty(taskName);
        ArgumentOutOfRangeException.ThrowIfNegative(instanceIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var interval = pollInterval ?? TimeSpan.FromSeconds(1);
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero, nameof(pollInterval));
        return FollowLogCoreAsync((from, token) => ReadLogAsync(jobId, taskName, instanceIndex, stream, from, null, token), offset, interval, cancellationToken);
    }

    private async IAsyncEnumerable<LogChunk> FollowLogCoreAsync(Func<long, CancellationToken, Task<SluiceResponse<LogChunk>>> read,
        long offset, TimeSpan pollInterval, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            LogChunk chunk = await read(offset, cancellationToken).ConfigureAwait(false);
            if (!chunk.Data.IsEmpty)
            {
                yield return chunk;
                offset = chunk.NextOffset;
            }
            if (chunk.IsEnd || (chunk.IsComplete && chunk.Data.IsEmpty))
            {
                yield break;
            }
            if (chunk.Data.IsEmpty)
            {
                await Task.Delay(pollInterval, Time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static string InstancePath(string jobId, string taskName, int instanceIndex) =>
        RequestPaths.Path("v1", "jobs", jobId, "tasks", taskName, "instances", instanceIndex.ToString(CultureInfo.InvariantCulture));
}
