using Sluice.Core.Model;

namespace Sluice.Storage.Relational;

public abstract partial class RelationalStore
{
    private const string InsertJobSql = """
        INSERT INTO jobs (job_id, account_id, name, description, priority, state, reason_code, reason_message,
            job_fail_on_instance_fail, cluster_id, auto_cluster_json, task_count, client_token, request_hash,
            created_at, started_at, ended_at, mounts_json)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
        """;

    /// <summary>
    /// Inserts the job row, then its tasks and one Waiting instance per task instance with the database's bulk
    /// path (<see cref="IWriteContext.InsertTasksAsync"/>), in the writer's transaction.
    /// </summary>
    public Task InsertJobAsync(Job job, IReadOnlyList<JobTask> tasks, CancellationToken cancellationToken) =>
        WriteAsync(async ctx =>
        {
            await InsertWithClientTokenAsync(ctx, "jobs", job.ClientToken, c => c.Execute(InsertJobSql, job.Id, job.AccountId, job.Name,
                job.Description, (long)job.Priority, job.State.ToString(), job.Reason?.Code, job.Reason?.Message, job.JobFailOnInstanceFail,
                job.ClusterId, job.AutoClusterJson, (long)job.TaskCount, job.ClientToken, job.RequestHash, UnixMicros.From(job.CreatedAt),
                UnixMicros.From(job.StartedAt), UnixMicros.From(job.EndedAt), JsonColumns.FromMounts(job.Mounts))).ConfigureAwait(false);
            if (tasks.Count > 0)
            {
                await ctx.InsertTasksAsync(job, tasks).ConfigureAwait(false);
            }

            return true;
        }, cancellationToken);

    private const string GetJobSql = $"SELECT {SqlColumns.Job} FROM jobs WHERE account_id = $1 AND job_id = $2";

    /// <inheritdoc />
    public async Task<Job?> GetJobAsync(string accountId, string jobId, CancellationToken cancellationToken)
    {
        var rows = await Database.ReadAsync(GetJobSql, [accountId, jobId], RowReaders.Job, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0].ToModel();
    }

    /// <inheritdoc />
    public async Task<Job?> FindJobByClientTokenAsync(string accountId, string clientToken, CancellationToken cancellationToken) =>
        (await Database.QueryAsync<JobRow>($"SELECT {SqlColumns.Job} FROM jobs WHERE account_id = @accountId AND client_token = @clientToken",
            new { accountId, clientToken }, cancellationToken).ConfigureAwait(false)).SingleOrDefault()?.ToModel();

    /// <inheritdoc />
    public async Task<Page<Job>> ListJobsAsync(string accountId, ListFilter<RunState> filter, string? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var stateNames = Paging.StateNames(filter.States);
        var (createdAfter, createdBefore) = (UnixMicros.From(filter.CreatedAfter), UnixMicros.From(filter.CreatedBefore));
        var sql = $"SELECT {SqlColumns.Job} FROM jobs WHERE account_id = @accountId AND job_id > @after"
            + (stateNames is null ? "" : " AND " + Dialect.AnyOf("state", "@stateNames"))
            + (createdAfter is null ? "" : " AND created_at >= @createdAfter")
            + (createdBefore is null ? "" : " AND created_at <= @createdBefore")
            + " ORDER BY job_id LIMIT @fetch";
        var rows = await Database.QueryAsync<JobRow>(sql, new { accountId, after = after ?? "", stateNames, createdAfter, createdBefore, fetch = limit + 1 }, cancellationToken).ConfigureAwait(false);
        return Paging.ToPage([.. rows.Select(r => r.ToModel())], limit, j => j.Id);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, InstanceCounts>> CountJobsInstancesAsync(string accountId, IReadOnlyCollection<string> jobIds,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobIds);
        if (jobIds.Count == 0)
        {
            return new Dictionary<string, InstanceCounts>();
        }
        var rows = await Database.QueryAsync<JobCountsRow>($"""
            SELECT job_id AS JobId, CAST(COALESCE(SUM(waiting_instances), 0) AS BIGINT) AS Waiting,
                CAST(COALESCE(SUM(running_instances), 0) AS BIGINT) AS Running, CAST(COALESCE(SUM(finished_instances), 0) AS BIGINT) AS Finished,
                CAST(COALESCE(SUM(failed_instances), 0) AS BIGINT) AS Failed, CAST(COALESCE(SUM(stopped_instances), 0) AS BIGINT) AS Stopped
            FROM tasks WHERE account_id = @accountId AND {Dialect.AnyOf("job_id", "@jobIds")}
            GROUP BY job_id
            """, new { accountId, jobIds = jobIds.ToArray() }, cancellationToken).ConfigureAwait(false);
        return rows.ToDictionary(r => r.JobId, r => r.ToModel(), StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public async Task<ClusterLoad> GetClusterLoadAsync(string accountId, string clusterId, CancellationToken cancellationToken)
    {
        var rows = await Database.QueryAsync<ClusterLoadRow>("""
            SELECT CAST(COALESCE(SUM(t.running_instances), 0) AS BIGINT) AS Running, CAST(COALESCE(SUM(t.waiting_instances), 0) AS BIGINT) AS Waiting,
                CAST(COALESCE(SUM(t.running_instances * t.cpu), 0) AS BIGINT) AS BusySlots
            FROM jobs AS j JOIN tasks AS t ON t.job_id = j.job_id AND t.account_id = j.account_id
            WHERE j.account_id = @accountId AND j.cluster_id = @clusterId AND j.state IN ('Waiting', 'Running')
            """, new { accountId, clusterId }, cancellationToken).ConfigureAwait(false);
        return rows.SingleOrDefault()?.ToModel() ?? ClusterLoad.None;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Job>> ListActiveJobsAsync(CancellationToken cancellationToken) =>
        [.. (await Database.QueryAsync<JobRow>($"SELECT {SqlColumns.Job} FROM jobs WHERE state IN ('Waiting', 'Running') ORDER BY job_id", null, cancellationToken)
            .ConfigureAwait(false)).Select(r => r.ToModel())];

    // State setters: the event takes FromState from the row before the UPDATE changes it, and the UPDATE derives
    // the times from the row's own columns (see RunTimesSql), so a change is two statements with no managed read.
    private const string InsertJobEventSql = """
        INSERT INTO events (account_id, kind, resource_id, from_state, to_state, reason_code, reason_message, at)
        SELECT account_id, 'Job', job_id, state, $3, $4, $5, $6 FROM jobs
        WHERE account_id = $1 AND job_id = $2
        """;

    /// <summary>
    /// StartedAt is set the first time the state is Running; EndedAt when it ends (kept if it was already ended)
    /// and cleared when it is Waiting again. In an UPDATE the columns are the old values. Parameters: $1 the time,
    /// $2 running, $3 ends, $4 waiting (the statements that use it put their own from $5).
    /// </summary>
    private const string RunTimesSql = """
        started_at = COALESCE(started_at, CASE WHEN $2 THEN $1 END),
        ended_at = CASE
            WHEN $3 THEN COALESCE(CASE WHEN state IN ('Finished', 'Failed', 'Stopped') THEN ended_at END, $1)
            WHEN $4 THEN NULL
            ELSE ended_at END
        """;

    private const string UpdateJobStateSql = $"""
        UPDATE jobs SET state = $7, reason_code = $8, reason_message = $9,
            {RunTimesSql}
        WHERE account_id = $5 AND job_id = $6
        """;

    /// <inheritdoc />
    public Task SetJobStateAsync(string accountId, string jobId, RunState state, StateReason? reason, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync(ctx =>
        {
            var stateName = state.ToString();
            var atMicros = UnixMicros.From(at);
            ctx.Execute(InsertJobEventSql, accountId, jobId, stateName, reason?.Code, reason?.Message, atMicros);
            ctx.Execute(UpdateJobStateSql, atMicros, state == RunState.Running, IsEnded(state), state == RunState.Waiting,
                accountId, jobId, stateName, reason?.Code, reason?.Message);
            if (IsEnded(state))
            {
                // A stop waiting to be carried out is, once the job has ended.
                ctx.Execute(DeletePendingCommandsSql, accountId, jobId);
            }
        }, cancellationToken);

    /// <inheritdoc />
    public Task SetJobClusterAsync(string accountId, string jobId, string clusterId, CancellationToken cancellationToken) =>
        WriteAsync(ctx => ctx.Execute("UPDATE jobs SET cluster_id = $3 WHERE account_id = $1 AND job_id = $2", accountId, jobId, clusterId), cancellationToken);

    /// <inheritdoc />
    public Task<bool> DeleteJobAsync(string accountId, string jobId, CancellationToken cancellationToken) =>
        WriteAsync(async ctx =>
        {
            if (await ctx.ExecuteCountedAsync("DELETE FROM jobs WHERE account_id = $1 AND job_id = $2", accountId, jobId).ConfigureAwait(false) == 0)
            {
                return false;
            }

            ctx.Execute("DELETE FROM instances WHERE account_id = $1 AND job_id = $2", accountId, jobId);
            ctx.Execute(DeletePendingCommandsSql, accountId, jobId);
            ctx.Execute("DELETE FROM tasks WHERE account_id = $1 AND job_id = $2", accountId, jobId);
            // Task and instance events are "jobId/…": a range scan on the index ('0' follows '/').
            ctx.Execute("DELETE FROM events WHERE account_id = $1 AND (resource_id = $2 OR (resource_id >= $3 AND resource_id < $4))",
                accountId, jobId, jobId + "/", jobId + "0");
            return true;
        }, cancellationToken);

    private const string GetTaskSql = $"SELECT {SqlColumns.Task} FROM tasks WHERE account_id = $1 AND job_id = $2 AND name = $3";

    /// <inheritdoc />
    public async Task<JobTask?> GetTaskAsync(string accountId, string jobId, string taskName, CancellationToken cancellationToken)
    {
        var rows = await Database.ReadAsync(GetTaskSql, [accountId, jobId, taskName], RowReaders.Task, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0].ToModel();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<JobTask>> GetTasksAsync(string accountId, string jobId, CancellationToken cancellationToken) =>
        [.. (await Database.QueryAsync<TaskRow>($"SELECT {SqlColumns.Task} FROM tasks WHERE account_id = @accountId AND job_id = @jobId ORDER BY name",
            new { accountId, jobId }, cancellationToken).ConfigureAwait(false)).Select(r => r.ToModel())];

    /// <inheritdoc />
    public async Task<Page<JobTask>> ListTasksAsync(string accountId, string jobId, string? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var rows = await Database.QueryAsync<TaskRow>(
            $"SELECT {SqlColumns.Task} FROM tasks WHERE account_id = @accountId AND job_id = @jobId AND name > @after ORDER BY name LIMIT @fetch",
            new { accountId, jobId, after = after ?? "", fetch = limit + 1 }, cancellationToken).ConfigureAwait(false);
        return Paging.ToPage([.. rows.Select(r => r.ToModel())], limit, t => t.Name);
    }

    private const string InsertTaskEventSql = """
        INSERT INTO events (account_id, kind, resource_id, from_state, to_state, at)
        SELECT account_id, 'Task', $4, state, $5, $6 FROM tasks
        WHERE account_id = $1 AND job_id = $2 AND name = $3
        """;

    private const string UpdateTaskStateSql = $"""
        UPDATE tasks SET state = $8,
            {RunTimesSql}
        WHERE account_id = $5 AND job_id = $6 AND name = $7
        """;

    /// <inheritdoc />
    public Task SetTaskStateAsync(string accountId, string jobId, string taskName, RunState state, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync(ctx => WriteTaskState(ctx, accountId, jobId, taskName, state, at), cancellationToken);

    private static void WriteTaskState(IWriteContext ctx, string accountId, string jobId, string taskName, RunState state, DateTimeOffset at)
    {
        var stateName = state.ToString();
        var atMicros = UnixMicros.From(at);
        ctx.Execute(InsertTaskEventSql, accountId, jobId, taskName, $"{jobId}/{taskName}", stateName, atMicros);
        ctx.Execute(UpdateTaskStateSql, atMicros, state == RunState.Running, IsEnded(state), state == RunState.Waiting,
            accountId, jobId, taskName, stateName);
    }
}
