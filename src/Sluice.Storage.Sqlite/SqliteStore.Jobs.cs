using Sluice.Storage.Relational;
using Dapper;
using Microsoft.Data.Sqlite;
using Sluice.Core.Model;
using Sluice.Core.Ports;

namespace Sluice.Storage.Sqlite;

public sealed partial class SqliteStore
{
    private const string InsertTaskSql = """
        INSERT INTO tasks (job_id, name, account_id, command_line, state, instance_count, max_retry_count, cpu, memory_mib,
            timeout_seconds, env_json, successors_json, package_path, stdout_redirect_path, stderr_redirect_path, started_at, ended_at,
            waiting_instances)
        VALUES (@job_id, @name, @account_id, @command_line, @state, @instance_count, @max_retry_count, @cpu, @memory_mib,
            @timeout_seconds, @env_json, @successors_json, @package_path, @stdout_redirect_path, @stderr_redirect_path, @started_at, @ended_at,
            @instance_count)
        """;

    // New instances are Waiting with no attempt: only the key and the owner are written. The
    // single instances of all one-instance tasks come from one statement over the rows just inserted.
    private const string InsertSingleInstancesSql = """
        INSERT INTO instances (job_id, task_name, idx, account_id, state)
        SELECT job_id, name, 0, account_id, 'Waiting' FROM tasks
        WHERE job_id = @JobId AND account_id = @AccountId AND instance_count = 1
        """;

    // A task's instances 0..count-1 generated inside SQLite in one statement: no managed round trip per row.
    private const string InsertInstancesSql = """
        WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < @count)
        INSERT INTO instances (job_id, task_name, idx, account_id, state)
        SELECT @job_id, @task_name, i, @account_id, 'Waiting' FROM seq
        """;

    /// <inheritdoc />
    public Task InsertJobAsync(Job job, IReadOnlyList<JobTask> tasks, CancellationToken cancellationToken) =>
        SqliteWriteAsync(ctx =>
        {
            if (job.ClientToken is not null && ctx.Exists(
                    "SELECT 1 FROM jobs WHERE account_id = @AccountId AND client_token = @ClientToken",
                    new { job.AccountId, job.ClientToken }))
            {
                throw new DuplicateClientTokenException(job.ClientToken);
            }

            ctx.Execute("""
                INSERT INTO jobs (job_id, account_id, name, description, priority, state, reason_code, reason_message,
                    job_fail_on_instance_fail, cluster_id, auto_cluster_json, task_count, client_token, request_hash,
                    created_at, started_at, ended_at, mounts_json)
                VALUES (@Id, @AccountId, @Name, @Description, @Priority, @State, @ReasonCode, @ReasonMessage,
                    @JobFailOnInstanceFail, @ClusterId, @AutoClusterJson, @TaskCount, @ClientToken, @RequestHash,
                    @CreatedAt, @StartedAt, @EndedAt, @MountsJson)
                """,
                new
                {
                    job.Id,
                    job.AccountId,
                    job.Name,
                    job.Description,
                    job.Priority,
                    State = job.State.ToString(),
                    ReasonCode = job.Reason?.Code,
                    ReasonMessage = job.Reason?.Message,
                    job.JobFailOnInstanceFail,
                    job.ClusterId,
                    job.AutoClusterJson,
                    job.TaskCount,
                    job.ClientToken,
                    job.RequestHash,
                    CreatedAt = UnixMicros.From(job.CreatedAt),
                    StartedAt = UnixMicros.From(job.StartedAt),
                    EndedAt = UnixMicros.From(job.EndedAt),
                    MountsJson = JsonColumns.FromMounts(job.Mounts),
                });

            InsertTasks(ctx, job, tasks);
        }, cancellationToken);

    /// <summary>
    /// Inserts tasks and their Waiting instances with two prepared commands whose parameters are
    /// rebound per row (no SQL parsing or reflection per row). Instances are generated inside SQLite:
    /// one statement per many-instance task, one for all one-instance tasks, so a 100,000-task job
    /// costs 100,000 managed round trips, not 200,000.
    /// </summary>
    private static void InsertTasks(WriteContext ctx, Job job, IReadOnlyList<JobTask> tasks)
    {
        using var taskCommand = ctx.CreateCommand(InsertTaskSql);
        var p = taskCommand.Parameters;
        p.AddWithValue("@job_id", job.Id);
        p.AddWithValue("@account_id", job.AccountId);
        var name = p.Add("@name", SqliteType.Text);
        var commandLine = p.Add("@command_line", SqliteType.Text);
        var state = p.Add("@state", SqliteType.Text);
        var instanceCount = p.Add("@instance_count", SqliteType.Integer);
        var maxRetryCount = p.Add("@max_retry_count", SqliteType.Integer);
        var cpu = p.Add("@cpu", SqliteType.Integer);
        var memoryMiB = p.Add("@memory_mib", SqliteType.Integer);
        var timeoutSeconds = p.Add("@timeout_seconds", SqliteType.Integer);
        var envJson = p.Add("@env_json", SqliteType.Text);
        var successorsJson = p.Add("@successors_json", SqliteType.Text);
        var packagePath = p.Add("@package_path", SqliteType.Text);
        var stdoutPath = p.Add("@stdout_redirect_path", SqliteType.Text);
        var stderrPath = p.Add("@stderr_redirect_path", SqliteType.Text);
        var startedAt = p.Add("@started_at", SqliteType.Integer);
        var endedAt = p.Add("@ended_at", SqliteType.Integer);
        taskCommand.Prepare();

        using var instancesCommand = ctx.CreateCommand(InsertInstancesSql);
        instancesCommand.Parameters.AddWithValue("@job_id", job.Id);
        instancesCommand.Parameters.AddWithValue("@account_id", job.AccountId);
        var manyTaskName = instancesCommand.Parameters.Add("@task_name", SqliteType.Text);
        var count = instancesCommand.Parameters.Add("@count", SqliteType.Integer);
        instancesCommand.Prepare();

        foreach (var task in tasks)
        {
            name.Value = task.Name;
            commandLine.Value = task.CommandLine;
            state.Value = task.State.ToString();
            instanceCount.Value = task.InstanceCount;
            maxRetryCount.Value = task.MaxRetryCount;
            cpu.Value = task.Cpu;
            memoryMiB.Value = task.MemoryMiB;
            timeoutSeconds.Value = Db(task.TimeoutSeconds);
            envJson.Value = Db(JsonColumns.FromMap(task.Env));
            successorsJson.Value = Db(JsonColumns.FromList(task.Successors));
            packagePath.Value = Db(task.PackagePath);
            stdoutPath.Value = Db(task.StdoutRedirectPath);
            stderrPath.Value = Db(task.StderrRedirectPath);
            startedAt.Value = Db(UnixMicros.From(task.StartedAt));
            endedAt.Value = Db(UnixMicros.From(task.EndedAt));
            taskCommand.ExecuteNonQuery();

            if (task.InstanceCount > 1)
            {
                manyTaskName.Value = task.Name;
                count.Value = task.InstanceCount;
                instancesCommand.ExecuteNonQuery();
            }
        }

        ctx.Execute(InsertSingleInstancesSql, new { JobId = job.Id, job.AccountId });
    }

    private static object Db(object? value) => value ?? DBNull.Value;

    private const string GetJobSql = $"SELECT {SqlColumns.Job} FROM jobs WHERE account_id = @account_id AND job_id = @job_id";

    /// <inheritdoc />
    public Task<Job?> GetJobAsync(string accountId, string jobId, CancellationToken cancellationToken) =>
        HotReadAsync(commands =>
        {
            using var reader = commands.Get(GetJobSql, null, "@account_id", "@job_id").Bind(0, accountId).Bind(1, jobId).ExecuteReader();
            return reader.Read() ? RowReaders.Job(reader).ToModel() : null;
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<Job?> FindJobByClientTokenAsync(string accountId, string clientToken, CancellationToken cancellationToken)
    {
        var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var lease = connection.ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<JobRow>(new CommandDefinition(
            $"SELECT {SqlColumns.Job} FROM jobs WHERE account_id = @accountId AND client_token = @clientToken",
            new { accountId, clientToken }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToModel();
    }

    /// <inheritdoc />
    public async Task<Page<Job>> ListJobsAsync(string accountId, IReadOnlyCollection<RunState>? states, string? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var stateNames = Paging.StateNames(states);
        var sql = $"SELECT {SqlColumns.Job} FROM jobs WHERE account_id = @accountId AND job_id > @after"
            + (stateNames is null ? "" : " AND state IN @stateNames")
            + " ORDER BY job_id LIMIT @fetch";
        var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var lease = connection.ConfigureAwait(false);
        var rows = await connection.QueryAsync<JobRow>(new CommandDefinition(
            sql, new { accountId, after = after ?? "", stateNames, fetch = limit + 1 }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return Paging.ToPage([.. rows.Select(r => r.ToModel())], limit, j => j.Id);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Job>> ListActiveJobsAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var lease = connection.ConfigureAwait(false);
        var rows = await connection.QueryAsync<JobRow>(new CommandDefinition(
            $"SELECT {SqlColumns.Job} FROM jobs WHERE state IN ('Waiting', 'Running') ORDER BY job_id",
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToModel())];
    }

    // State setters: the event takes FromState from the row before the UPDATE changes it, and the
    // UPDATE derives the times from the row's own columns (see RunTimesSql), so a change is two
    // prepared statements with no managed read. An unknown key or another account's row matches nothing.
    private const string InsertJobEventSql = """
        INSERT INTO events (account_id, kind, resource_id, from_state, to_state, reason_code, reason_message, at)
        SELECT account_id, 'Job', job_id, state, @state, @reason_code, @reason_message, @at FROM jobs
        WHERE account_id = @account_id AND job_id = @job_id
        """;

    /// <summary>
    /// StartedAt is set the first time the state is Running; EndedAt when it ends (kept if it was
    /// already ended) and cleared when it is Waiting again. In an UPDATE the columns are the old values.
    /// </summary>
    private const string RunTimesSql = """
        started_at = COALESCE(started_at, CASE WHEN @running THEN @at END),
        ended_at = CASE
            WHEN @ends THEN COALESCE(CASE WHEN state IN ('Finished', 'Failed', 'Stopped') THEN ended_at END, @at)
            WHEN @waiting THEN NULL
            ELSE ended_at END
        """;

    private const string UpdateJobStateSql = $"""
        UPDATE jobs SET state = @state, reason_code = @reason_code, reason_message = @reason_message,
            {RunTimesSql}
        WHERE account_id = @account_id AND job_id = @job_id
        """;

    /// <inheritdoc />
    public Task SetJobStateAsync(string accountId, string jobId, RunState state, StateReason? reason, DateTimeOffset at, CancellationToken cancellationToken) =>
        SqliteWriteAsync(ctx =>
        {
            var stateName = state.ToString();
            var atMicros = UnixMicros.From(at);
            ctx.Prepared(InsertJobEventSql, "@account_id", "@job_id", "@state", "@reason_code", "@reason_message", "@at")
                .Bind(0, accountId)
                .Bind(1, jobId)
                .Bind(2, stateName)
                .Bind(3, reason?.Code)
                .Bind(4, reason?.Message)
                .Bind(5, atMicros)
                .ExecuteNonQuery();
            ctx.Prepared(UpdateJobStateSql, "@account_id", "@job_id", "@state", "@reason_code", "@reason_message", "@at", "@running", "@ends", "@waiting")
                .Bind(0, accountId)
                .Bind(1, jobId)
                .Bind(2, stateName)
                .Bind(3, reason?.Code)
                .Bind(4, reason?.Message)
                .Bind(5, atMicros)
                .Bind(6, state == RunState.Running)
                .Bind(7, IsEnded(state))
                .Bind(8, state == RunState.Waiting)
                .ExecuteNonQuery();
        }, cancellationToken);

    private static bool IsEnded(RunState state) => state is RunState.Finished or RunState.Failed or RunState.Stopped;

    /// <inheritdoc />
    public Task SetJobClusterAsync(string accountId, string jobId, string clusterId, CancellationToken cancellationToken) =>
        SqliteWriteAsync(ctx => ctx.Execute(
            "UPDATE jobs SET cluster_id = @clusterId WHERE account_id = @accountId AND job_id = @jobId",
            new { clusterId, accountId, jobId }), cancellationToken);

    /// <inheritdoc />
    public Task<bool> DeleteJobAsync(string accountId, string jobId, CancellationToken cancellationToken) =>
        SqliteWriteAsync(ctx =>
        {
            if (ctx.Execute("DELETE FROM jobs WHERE account_id = @accountId AND job_id = @jobId", new { accountId, jobId }) == 0)
            {
                return false;
            }

            var param = new { accountId, jobId, prefixFrom = jobId + "/", prefixTo = jobId + "0" };
            ctx.Execute("DELETE FROM instances WHERE account_id = @accountId AND job_id = @jobId", param);
            ctx.Execute("DELETE FROM tasks WHERE account_id = @accountId AND job_id = @jobId", param);
            // Task and instance events are "jobId/…": a range scan on the index ('0' follows '/').
            ctx.Execute("""
                DELETE FROM events WHERE account_id = @accountId
                    AND (resource_id = @jobId OR (resource_id >= @prefixFrom AND resource_id < @prefixTo))
                """, param);
            return true;
        }, cancellationToken);

    private const string GetTaskSql = $"SELECT {SqlColumns.Task} FROM tasks WHERE account_id = @account_id AND job_id = @job_id AND name = @name";

    /// <inheritdoc />
    public Task<JobTask?> GetTaskAsync(string accountId, string jobId, string taskName, CancellationToken cancellationToken) =>
        HotReadAsync(commands =>
        {
            using var reader = commands.Get(GetTaskSql, null, "@account_id", "@job_id", "@name")
                .Bind(0, accountId).Bind(1, jobId).Bind(2, taskName).ExecuteReader();
            return reader.Read() ? RowReaders.Task(reader).ToModel() : null;
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<JobTask>> GetTasksAsync(string accountId, string jobId, CancellationToken cancellationToken)
    {
        var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var lease = connection.ConfigureAwait(false);
        var rows = await connection.QueryAsync<TaskRow>(new CommandDefinition(
            $"SELECT {SqlColumns.Task} FROM tasks WHERE account_id = @accountId AND job_id = @jobId ORDER BY name",
            new { accountId, jobId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToModel())];
    }

    /// <inheritdoc />
    public async Task<Page<JobTask>> ListTasksAsync(string accountId, string jobId, string? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var lease = connection.ConfigureAwait(false);
        var rows = await connection.QueryAsync<TaskRow>(new CommandDefinition(
            $"SELECT {SqlColumns.Task} FROM tasks WHERE account_id = @accountId AND job_id = @jobId AND name > @after ORDER BY name LIMIT @fetch",
            new { accountId, jobId, after = after ?? "", fetch = limit + 1 }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return Paging.ToPage([.. rows.Select(r => r.ToModel())], limit, t => t.Name);
    }

    private const string InsertTaskEventSql = """
        INSERT INTO events (account_id, kind, resource_id, from_state, to_state, at)
        SELECT account_id, 'Task', @resource_id, state, @state, @at FROM tasks
        WHERE account_id = @account_id AND job_id = @job_id AND name = @name
        """;

    private const string UpdateTaskStateSql = $"""
        UPDATE tasks SET state = @state,
            {RunTimesSql}
        WHERE account_id = @account_id AND job_id = @job_id AND name = @name
        """;

    /// <inheritdoc />
    public Task SetTaskStateAsync(string accountId, string jobId, string taskName, RunState state, DateTimeOffset at, CancellationToken cancellationToken) =>
        SqliteWriteAsync(ctx =>
        {
            var stateName = state.ToString();
            var atMicros = UnixMicros.From(at);
            ctx.Prepared(InsertTaskEventSql, "@account_id", "@job_id", "@name", "@state", "@resource_id", "@at")
                .Bind(0, accountId)
                .Bind(1, jobId)
                .Bind(2, taskName)
                .Bind(3, stateName)
                .Bind(4, $"{jobId}/{taskName}")
                .Bind(5, atMicros)
                .ExecuteNonQuery();
            ctx.Prepared(UpdateTaskStateSql, "@account_id", "@job_id", "@name", "@state", "@at", "@running", "@ends", "@waiting")
                .Bind(0, accountId)
                .Bind(1, jobId)
                .Bind(2, taskName)
                .Bind(3, stateName)
                .Bind(4, atMicros)
                .Bind(5, state == RunState.Running)
                .Bind(6, IsEnded(state))
                .Bind(7, state == RunState.Waiting)
                .ExecuteNonQuery();
        }, cancellationToken);
}
