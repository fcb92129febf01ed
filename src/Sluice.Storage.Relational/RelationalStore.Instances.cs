using System.Globalization;
using Sluice.Core.Model;

namespace Sluice.Storage.Relational;

public abstract partial class RelationalStore
{
    // The hottest write (two per launched instance). The event and the task's counters read the previous state
    // from the row before the UPDATE replaces it: no managed read-before-write, and nothing at all happens for an
    // unknown key or another account's row. PostgreSQL sends the three in one round trip.
    private const string InsertInstanceEventSql = """
        INSERT INTO events (account_id, kind, resource_id, from_state, to_state, at)
        SELECT account_id, 'Instance', $6, state, $5, $7 FROM instances
        WHERE account_id = $1 AND job_id = $2 AND task_name = $3 AND idx = $4 AND state <> $5
        """;

    // The counters kept on the task rows: one row per task, not per instance, is read to count.
    private const string MoveInstanceCountSql = """
        UPDATE tasks SET
            waiting_instances = waiting_instances + CAST($5 = 'Waiting' AS INTEGER) - CAST(prev.state = 'Waiting' AS INTEGER),
            running_instances = running_instances + CAST($5 = 'Running' AS INTEGER) - CAST(prev.state = 'Running' AS INTEGER),
            finished_instances = finished_instances + CAST($5 = 'Finished' AS INTEGER) - CAST(prev.state = 'Finished' AS INTEGER),
            failed_instances = failed_instances + CAST($5 = 'Failed' AS INTEGER) - CAST(prev.state = 'Failed' AS INTEGER),
            stopped_instances = stopped_instances + CAST($5 = 'Stopped' AS INTEGER) - CAST(prev.state = 'Stopped' AS INTEGER)
        FROM (SELECT state FROM instances
              WHERE account_id = $1 AND job_id = $2 AND task_name = $3 AND idx = $4) AS prev
        WHERE tasks.job_id = $2 AND tasks.name = $3 AND prev.state <> $5
        """;

    private const string UpdateInstanceSql = """
        UPDATE instances SET state = $5, attempts = $6, node_id = $7, host = $8,
            exit_code = $9, error_code = $10, error_message = $11, started_at = $12, ended_at = $13, preemptions = $14
        WHERE account_id = $1 AND job_id = $2 AND task_name = $3 AND idx = $4
        """;

    /// <inheritdoc />
    public Task UpdateInstanceAsync(TaskInstance instance, CancellationToken cancellationToken) =>
        WriteAsync(ctx => WriteInstance(ctx, instance), cancellationToken);

    /// <inheritdoc />
    public Task UpdateInstanceAsync(TaskInstance instance, RunState taskState, DateTimeOffset taskAt, CancellationToken cancellationToken) =>
        WriteAsync(ctx =>
        {
            // In the order the moves happen: a task starts before its instance runs, and ends after its last one did.
            if (taskState == RunState.Running)
            {
                WriteTaskState(ctx, instance.AccountId, instance.JobId, instance.TaskName, taskState, taskAt);
                WriteInstance(ctx, instance);
            }
            else
            {
                WriteInstance(ctx, instance);
                WriteTaskState(ctx, instance.AccountId, instance.JobId, instance.TaskName, taskState, taskAt);
            }
        }, cancellationToken);

    private void WriteInstance(IWriteContext ctx, TaskInstance instance)
    {
        var state = instance.State.ToString();
        var at = InstanceEventTime.Of(instance, Now);
        object index = (long)instance.Index;
        ctx.Execute(InsertInstanceEventSql, instance.AccountId, instance.JobId, instance.TaskName, index, state,
            string.Create(CultureInfo.InvariantCulture, $"{instance.JobId}/{instance.TaskName}/{instance.Index}"), UnixMicros.From(at));
        ctx.Execute(MoveInstanceCountSql, instance.AccountId, instance.JobId, instance.TaskName, index, state);
        ctx.Execute(UpdateInstanceSql, instance.AccountId, instance.JobId, instance.TaskName, index, state, (long)instance.Attempts,
            instance.NodeId, instance.Host, instance.ExitCode is { } exit ? (long)exit : null, instance.ErrorCode, instance.ErrorMessage,
            UnixMicros.From(instance.StartedAt), UnixMicros.From(instance.EndedAt), (long)instance.Preemptions);
    }

    private const string GetInstanceSql =
        $"SELECT {SqlColumns.Instance} FROM instances WHERE account_id = $1 AND job_id = $2 AND task_name = $3 AND idx = $4";

    /// <inheritdoc />
    public async Task<TaskInstance?> GetInstanceAsync(string accountId, string jobId, string taskName, int index, CancellationToken cancellationToken)
    {
        var rows = await Database.ReadAsync(GetInstanceSql, [accountId, jobId, taskName, (long)index], RowReaders.Instance, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0].ToModel();
    }

    /// <inheritdoc />
    public async Task<Page<TaskInstance>> ListInstancesAsync(string accountId, string jobId, string taskName, IReadOnlyCollection<RunState>? states,
        string? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var afterIndex = Paging.AfterIndex(after);
        var stateNames = Paging.StateNames(states);
        var sql = $"SELECT {SqlColumns.Instance} FROM instances WHERE account_id = @accountId AND job_id = @jobId AND task_name = @taskName AND idx > @afterIndex"
            + (stateNames is null ? "" : " AND " + Dialect.AnyOf("state", "@stateNames"))
            + " ORDER BY idx LIMIT @fetch";
        var rows = await Database.QueryAsync<InstanceRow>(sql, new { accountId, jobId, taskName, afterIndex, stateNames, fetch = limit + 1 }, cancellationToken)
            .ConfigureAwait(false);
        return Paging.ToPage([.. rows.Select(r => r.ToModel())], limit, i => i.Index.ToString(CultureInfo.InvariantCulture));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TaskInstance>> ListStartedInstancesAsync(string accountId, string jobId, CancellationToken cancellationToken) =>
        [.. (await Database.QueryAsync<InstanceRow>($"""
            SELECT {SqlColumns.Instance} FROM instances
            WHERE account_id = @accountId AND job_id = @jobId AND NOT (state = 'Waiting' AND attempts = 0)
            ORDER BY task_name, idx
            """, new { accountId, jobId }, cancellationToken).ConfigureAwait(false)).Select(r => r.ToModel())];

    private const string CountInstancesSql = """
        SELECT name, waiting_instances, running_instances, finished_instances, failed_instances, stopped_instances
        FROM tasks WHERE account_id = $1 AND job_id = $2 AND instance_count > 0
        """;

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, InstanceCounts>> CountInstancesAsync(string accountId, string jobId, CancellationToken cancellationToken)
    {
        var rows = await Database.ReadAsync(CountInstancesSql, [accountId, jobId],
            static r => (Name: r.GetString(0), Counts: new InstanceCounts(r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5))),
            cancellationToken).ConfigureAwait(false);
        var counts = new Dictionary<string, InstanceCounts>(rows.Count, StringComparer.Ordinal);
        foreach (var (name, taskCounts) in rows)
        {
            counts.Add(name, taskCounts);
        }

        return counts;
    }

    private const string CountJobInstancesSql = """
        SELECT CAST(COALESCE(SUM(waiting_instances), 0) AS BIGINT), CAST(COALESCE(SUM(running_instances), 0) AS BIGINT),
            CAST(COALESCE(SUM(finished_instances), 0) AS BIGINT), CAST(COALESCE(SUM(failed_instances), 0) AS BIGINT),
            CAST(COALESCE(SUM(stopped_instances), 0) AS BIGINT)
        FROM tasks WHERE account_id = $1 AND job_id = $2
        """;

    /// <inheritdoc />
    public async Task<InstanceCounts> CountJobInstancesAsync(string accountId, string jobId, CancellationToken cancellationToken) =>
        (await Database.ReadAsync(CountJobInstancesSql, [accountId, jobId],
            static r => new InstanceCounts(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4)),
            cancellationToken).ConfigureAwait(false))[0];

    /// <inheritdoc />
    public Task StopWaitingInstancesAsync(string accountId, string jobId, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync(ctx =>
        {
            ctx.Execute("""
                UPDATE instances SET state = 'Stopped', error_code = 'Stopped', ended_at = $3
                WHERE account_id = $1 AND job_id = $2 AND state = 'Waiting'
                """, accountId, jobId, UnixMicros.From(at));
            ctx.Execute("""
                UPDATE tasks SET stopped_instances = stopped_instances + waiting_instances, waiting_instances = 0
                WHERE account_id = $1 AND job_id = $2 AND waiting_instances > 0
                """, accountId, jobId);
        }, cancellationToken);

    /// <inheritdoc />
    public Task EndUnfinishedTasksAsync(string accountId, string jobId, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync(ctx => ctx.Execute("""
            UPDATE tasks SET state = CASE WHEN failed_instances > 0 THEN 'Failed' ELSE 'Stopped' END, ended_at = $3
            WHERE account_id = $1 AND job_id = $2 AND state IN ('Waiting', 'Running')
            """, accountId, jobId, UnixMicros.From(at)), cancellationToken);

    /// <inheritdoc />
    public Task ResetUnfinishedAsync(string accountId, string jobId, CancellationToken cancellationToken) =>
        WriteAsync(ctx =>
        {
            ctx.Execute("""
                UPDATE instances SET state = 'Waiting', attempts = 0, preemptions = 0, node_id = NULL, host = NULL, exit_code = NULL,
                    error_code = NULL, error_message = NULL, started_at = NULL, ended_at = NULL
                WHERE account_id = $1 AND job_id = $2 AND state <> 'Finished'
                """, accountId, jobId);
            ctx.Execute("""
                UPDATE tasks SET waiting_instances = waiting_instances + running_instances + failed_instances + stopped_instances,
                    running_instances = 0, failed_instances = 0, stopped_instances = 0
                WHERE account_id = $1 AND job_id = $2 AND running_instances + failed_instances + stopped_instances > 0
                """, accountId, jobId);
            // Like SetTaskStateAsync(Waiting): EndedAt is cleared, the first StartedAt kept.
            ctx.Execute("""
                UPDATE tasks SET state = 'Waiting', ended_at = NULL
                WHERE account_id = $1 AND job_id = $2 AND state <> 'Finished'
                """, accountId, jobId);
        }, cancellationToken);
}
