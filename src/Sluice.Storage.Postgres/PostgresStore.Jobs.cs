using Npgsql;
using NpgsqlTypes;
using Sluice.Core.Model;
using Sluice.Storage.Relational;

namespace Sluice.Storage.Postgres;

public sealed partial class PostgresStore
{
    private const string InsertJobSql = """
        INSERT INTO jobs (job_id, account_id, name, description, priority, state, reason_code, reason_message,
            job_fail_on_instance_fail, cluster_id, auto_cluster_json, task_count, client_token, request_hash,
            created_at, started_at, ended_at, mounts_json)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
        """;

    private const string CopyTasksSql = """
        COPY tasks (job_id, name, account_id, command_line, state, instance_count, max_retry_count, cpu, memory_mib,
            timeout_seconds, env_json, successors_json, package_path, stdout_redirect_path, stderr_redirect_path,
            started_at, ended_at, waiting_instances) FROM STDIN (FORMAT BINARY)
        """;

    // Instances are generated inside PostgreSQL from the task rows just copied: one statement, no row
    // crosses the wire. New instances are Waiting with no attempt.
    private const string InsertInstancesSql = """
        INSERT INTO instances (job_id, task_name, idx, account_id, state)
        SELECT t.job_id, t.name, i, t.account_id, 'Waiting' FROM tasks AS t, generate_series(0, t.instance_count - 1) AS i
        WHERE t.job_id = $1 AND t.account_id = $2
        """;

    /// <summary>
    /// Inserts the job row, then its tasks with one binary COPY (a 100,000-task job is one stream, not
    /// 100,000 statements), then its instances with one INSERT … SELECT.
    /// </summary>
    public Task InsertJobAsync(Job job, IReadOnlyList<JobTask> tasks, CancellationToken cancellationToken) =>
        PgWriteAsync(async ctx =>
        {
            // Batch-mates' statements go first, so a unique violation below is this mutation's own.
            await ctx.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            ctx.Add(InsertJobSql, job.Id, job.AccountId, job.Name, job.Description, (long)job.Priority, job.State.ToString(), job.Reason?.Code,
                job.Reason?.Message, job.JobFailOnInstanceFail, job.ClusterId, job.AutoClusterJson, (long)job.TaskCount, job.ClientToken,
                job.RequestHash, UnixMicros.From(job.CreatedAt), UnixMicros.From(job.StartedAt), UnixMicros.From(job.EndedAt),
                JsonColumns.FromMounts(job.Mounts));
            if (job.ClientToken is not null)
            {
                await FlushCheckingTokenAsync(ctx, "ux_jobs_client_token", job.ClientToken).ConfigureAwait(false);
            }

            if (tasks.Count == 0)
            {
                return true;
            }

            await ctx.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            await CopyTasksAsync(ctx.Connection, job, tasks).ConfigureAwait(false);
            ctx.Add(InsertInstancesSql, job.Id, job.AccountId);
            return true;
        }, cancellationToken);

    private static async Task CopyTasksAsync(NpgsqlConnection connection, Job job, IReadOnlyList<JobTask> tasks)
    {
        var importer = await connection.BeginBinaryImportAsync(CopyTasksSql).ConfigureAwait(false);
        await using (importer.ConfigureAwait(false))
        {
            foreach (var task in tasks)
            {
                await importer.StartRowAsync().ConfigureAwait(false);
                await importer.WriteAsync(job.Id, NpgsqlDbType.Text).ConfigureAwait(false);
                await importer.WriteAsync(task.Name, NpgsqlDbType.Text).ConfigureAwait(false);
                await importer.WriteAsync(job.AccountId, NpgsqlDbType.Text).ConfigureAwait(false);
                await importer.WriteAsync(task.CommandLine, NpgsqlDbType.Text).ConfigureAwait(false);
                await importer.WriteAsync(task.State.ToString(), NpgsqlDbType.Text).ConfigureAwait(false);
                await importer.WriteAsync((long)task.InstanceCount, NpgsqlDbType.Bigint).ConfigureAwait(false);
                await importer.WriteAsync((long)task.MaxRetryCount, NpgsqlDbType.Bigint).ConfigureAwait(false);
                await importer.WriteAsync((long)task.Cpu, NpgsqlDbType.Bigint).ConfigureAwait(false);
                await importer.WriteAsync(task.MemoryMiB, NpgsqlDbType.Bigint).ConfigureAwait(false);
                await WriteNullableAsync(importer, task.TimeoutSeconds is { } t ? t : null).ConfigureAwait(false);
                await WriteNullableAsync(importer, JsonColumns.FromMap(task.Env)).ConfigureAwait(false);
                await WriteNullableAsync(importer, JsonColumns.FromList(task.Successors)).ConfigureAwait(false);
                await WriteNullableAsync(importer, task.PackagePath).ConfigureAwait(false);
                await WriteNullableAsync(importer, task.StdoutRedirectPath).ConfigureAwait(false);
                await WriteNullableAsync(importer, task.StderrRedirectPath).ConfigureAwait(false);
                await WriteNullableAsync(importer, UnixMicros.From(task.StartedAt)).ConfigureAwait(false);
                await WriteNullableAsync(importer, UnixMicros.From(task.EndedAt)).ConfigureAwait(false);
                await importer.WriteAsync((long)task.InstanceCount, NpgsqlDbType.Bigint).ConfigureAwait(false);
            }

            await importer.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static Task WriteNullableAsync(NpgsqlBinaryImporter importer, string? value) =>
        value is null ? importer.WriteNullAsync() : importer.WriteAsync(value, NpgsqlDbType.Text);

    private static Task WriteNullableAsync(NpgsqlBinaryImporter importer, long? value) =>
        value is { } v ? importer.WriteAsync(v, NpgsqlDbType.Bigint) : importer.WriteNullAsync();

    /// <inheritdoc />
    public async Task<Job?> GetJobAsync(string accountId, string jobId, CancellationToken cancellationToken) =>
        (await QueryAsync<JobRow>($"SELECT {SqlColumns.Job} FROM jobs WHERE account_id = @accountId AND job_id = @jobId",
            new { accountId, jobId }, cancellationToken).ConfigureAwait(false)).SingleOrDefault()?.ToModel();

    /// <inheritdoc />
    public async Task<Job?> FindJobByClientTokenAsync(string accountId, string clientToken, CancellationToken cancellationToken) =>
        (await QueryAsync<JobRow>($"SELECT {SqlColumns.Job} FROM jobs WHERE account_id = @accountId AND client_token = @clientToken",
            new { accountId, clientToken }, cancellationToken).ConfigureAwait(false)).SingleOrDefault()?.ToModel();

    /// <inheritdoc />
    public async Task<Page<Job>> ListJobsAsync(string accountId, IReadOnlyCollection<RunState>? states, string? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var stateNames = Paging.StateNames(states);
        var sql = $"SELECT {SqlColumns.Job} FROM jobs WHERE account_id = @accountId AND job_id > @after"
            + (stateNames is null ? "" : " AND state = ANY(@stateNames)")
            + " ORDER BY job_id LIMIT @fetch";
        var rows = await QueryAsync<JobRow>(sql, new { accountId, after = after ?? "", stateNames, fetch = limit + 1 }, cancellationToken).ConfigureAwait(false);
        return Paging.ToPage([.. rows.Select(r => r.ToModel())], limit, j => j.Id);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Job>> ListActiveJobsAsync(CancellationToken cancellationToken) =>
        [.. (await QueryAsync<JobRow>($"SELECT {SqlColumns.Job} FROM jobs WHERE state IN ('Waiting', 'Running') ORDER BY job_id", null, cancellationToken)
            .ConfigureAwait(false)).Select(r => r.ToModel())];

    private const string InsertJobEventSql = """
        INSERT INTO events (account_id, kind, resource_id, from_state, to_state, reason_code, reason_message, at)
        SELECT account_id, 'Job', job_id, state, $3, $4, $5, $6 FROM jobs
        WHERE account_id = $1 AND job_id = $2
        """;

    // StartedAt is set the first time the state is Running; EndedAt when it ends (kept if it was already
    // ended) and cleared when it is Waiting again. In an UPDATE the columns are the old values.
    private const string UpdateJobStateSql = """
        UPDATE jobs SET state = $3, reason_code = $4, reason_message = $5,
            started_at = COALESCE(started_at, CASE WHEN $7 THEN $6 END),
            ended_at = CASE
                WHEN $8 THEN COALESCE(CASE WHEN state IN ('Finished', 'Failed', 'Stopped') THEN ended_at END, $6)
                WHEN $9 THEN NULL
                ELSE ended_at END
        WHERE account_id = $1 AND job_id = $2
        """;

    /// <inheritdoc />
    public Task SetJobStateAsync(string accountId, string jobId, RunState state, StateReason? reason, DateTimeOffset at, CancellationToken cancellationToken) =>
        PgWriteAsync(ctx =>
        {
            var stateName = state.ToString();
            var atMicros = UnixMicros.From(at);
            ctx.Add(InsertJobEventSql, accountId, jobId, stateName, reason?.Code, reason?.Message, atMicros);
            ctx.Add(UpdateJobStateSql, accountId, jobId, stateName, reason?.Code, reason?.Message, atMicros,
                state == RunState.Running, IsEnded(state), state == RunState.Waiting);
        }, cancellationToken);

    /// <inheritdoc />
    public Task SetJobClusterAsync(string accountId, string jobId, string clusterId, CancellationToken cancellationToken) =>
        PgWriteAsync(ctx => ctx.Add("UPDATE jobs SET cluster_id = $3 WHERE account_id = $1 AND job_id = $2", accountId, jobId, clusterId), cancellationToken);

    /// <inheritdoc />
    public Task<bool> DeleteJobAsync(string accountId, string jobId, CancellationToken cancellationToken) =>
        PgWriteAsync(async ctx =>
        {
            var delete = ctx.Add("DELETE FROM jobs WHERE account_id = $1 AND job_id = $2", accountId, jobId);
            await ctx.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            if (delete.RecordsAffected == 0)
            {
                return false;
            }

            ctx.Add("DELETE FROM instances WHERE account_id = $1 AND job_id = $2", accountId, jobId);
            ctx.Add("DELETE FROM tasks WHERE account_id = $1 AND job_id = $2", accountId, jobId);
            // Task and instance events are "jobId/…": a range scan on the index ('0' follows '/').
            ctx.Add("DELETE FROM events WHERE account_id = $1 AND (resource_id = $2 OR (resource_id >= $3 AND resource_id < $4))",
                accountId, jobId, jobId + "/", jobId + "0");
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<JobTask?> GetTaskAsync(string accountId, string jobId, string taskName, CancellationToken cancellationToken) =>
        (await QueryAsync<TaskRow>($"SELECT {SqlColumns.Task} FROM tasks WHERE account_id = @accountId AND job_id = @jobId AND name = @taskName",
            new { accountId, jobId, taskName }, cancellationToken).ConfigureAwait(false)).SingleOrDefault()?.ToModel();

    /// <inheritdoc />
    public async Task<IReadOnlyList<JobTask>> GetTasksAsync(string accountId, string jobId, CancellationToken cancellationToken) =>
        [.. (await QueryAsync<TaskRow>($"SELECT {SqlColumns.Task} FROM tasks WHERE account_id = @accountId AND job_id = @jobId ORDER BY name",
            new { accountId, jobId }, cancellationToken).ConfigureAwait(false)).Select(r => r.ToModel())];

    /// <inheritdoc />
    public async Task<Page<JobTask>> ListTasksAsync(string accountId, string jobId, string? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var rows = await QueryAsync<TaskRow>(
            $"SELECT {SqlColumns.Task} FROM tasks WHERE account_id = @accountId AND job_id = @jobId AND name > @after ORDER BY name LIMIT @fetch",
            new { accountId, jobId, after = after ?? "", fetch = limit + 1 }, cancellationToken).ConfigureAwait(false);
        return Paging.ToPage([.. rows.Select(r => r.ToModel())], limit, t => t.Name);
    }

    private const string InsertTaskEventSql = """
        INSERT INTO events (account_id, kind, resource_id, from_state, to_state, at)
        SELECT account_id, 'Task', $4, state, $5, $6 FROM tasks
        WHERE account_id = $1 AND job_id = $2 AND name = $3
        """;

    private const string UpdateTaskStateSql = """
        UPDATE tasks SET state = $4,
            started_at = COALESCE(started_at, CASE WHEN $6 THEN $5 END),
            ended_at = CASE
                WHEN $7 THEN COALESCE(CASE WHEN state IN ('Finished', 'Failed', 'Stopped') THEN ended_at END, $5)
                WHEN $8 THEN NULL
                ELSE ended_at END
        WHERE account_id = $1 AND job_id = $2 AND name = $3
        """;

    /// <inheritdoc />
    public Task SetTaskStateAsync(string accountId, string jobId, string taskName, RunState state, DateTimeOffset at, CancellationToken cancellationToken) =>
        PgWriteAsync(ctx =>
        {
            var stateName = state.ToString();
            var atMicros = UnixMicros.From(at);
            ctx.Add(InsertTaskEventSql, accountId, jobId, taskName, $"{jobId}/{taskName}", stateName, atMicros);
            ctx.Add(UpdateTaskStateSql, accountId, jobId, taskName, stateName, atMicros, state == RunState.Running, IsEnded(state), state == RunState.Waiting);
        }, cancellationToken);
}
