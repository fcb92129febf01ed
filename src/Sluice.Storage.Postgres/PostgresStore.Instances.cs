using System.Globalization;
using Sluice.Core.Model;
using Sluice.Storage.Relational;

namespace Sluice.Storage.Postgres;

public sealed partial class PostgresStore
{
    // The three statements of an instance change travel in one round trip. The event and the task's
    // counters read the previous state from the row before the UPDATE replaces it; nothing happens for
    // an unknown key or another account's row.
    private const string InsertInstanceEventSql = """
        INSERT INTO events (account_id, kind, resource_id, from_state, to_state, at)
        SELECT account_id, 'Instance', $6, state, $5, $7 FROM instances
        WHERE account_id = $1 AND job_id = $2 AND task_name = $3 AND idx = $4 AND state <> $5
        """;

    private const string MoveInstanceCountSql = """
        UPDATE tasks SET
            waiting_instances = waiting_instances + ($5 = 'Waiting')::int - (prev.state = 'Waiting')::int,
            running_instances = running_instances + ($5 = 'Running')::int - (prev.state = 'Running')::int,
            finished_instances = finished_instances + ($5 = 'Finished')::int - (prev.state = 'Finished')::int,
            failed_instances = failed_instances + ($5 = 'Failed')::int - (prev.state = 'Failed')::int,
            stopped_instances = stopped_instances + ($5 = 'Stopped')::int - (prev.state = 'Stopped')::int
        FROM (SELECT state FROM instances
              WHERE account_id = $1 AND job_id = $2 AND task_name = $3 AND idx = $4) AS prev
        WHERE tasks.job_id = $2 AND tasks.name = $3 AND prev.state <> $5
        """;

    private const string UpdateInstanceSql = """
        UPDATE instances SET state = $5, attempts = $6, node_id = $7, host = $8,
            exit_code = $9, error_code = $10, error_message = $11, started_at = $12, ended_at = $13
        WHERE account_id = $1 AND job_id = $2 AND task_name = $3 AND idx = $4
        """;

    /// <inheritdoc />
    public Task UpdateInstanceAsync(TaskInstance instance, CancellationToken cancellationToken) =>
        PgWriteAsync(ctx =>
        {
            var state = instance.State.ToString();
            var at = InstanceEventTime.Of(instance, Now);
            long index = instance.Index;
            ctx.Add(InsertInstanceEventSql, instance.AccountId, instance.JobId, instance.TaskName, index, state,
                string.Create(CultureInfo.InvariantCulture, $"{instance.JobId}/{instance.TaskName}/{instance.Index}"), UnixMicros.From(at));
            ctx.Add(MoveInstanceCountSql, instance.AccountId, instance.JobId, instance.TaskName, index, state);
            ctx.Add(UpdateInstanceSql, instance.AccountId, instance.JobId, instance.TaskName, index, state, (long)instance.Attempts,
                instance.NodeId, instance.Host, instance.ExitCode is { } exit ? (long)exit : null, instance.ErrorCode, instance.ErrorMessage,
                UnixMicros.From(instance.StartedAt), UnixMicros.From(instance.EndedAt));
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<TaskInstance?> GetInstanceAsync(string accountId, string jobId, string taskName, int index, CancellationToken cancellationToken) =>
        (await QueryAsync<InstanceRow>(
            $"SELECT {SqlColumns.Instance} FROM instances WHERE account_id = @accountId AND job_id = @jobId AND task_name = @taskName AND idx = @index",
            new { accountId, jobId, taskName, index = (long)index }, cancellationToken).ConfigureAwait(false)).SingleOrDefault()?.ToModel();

    /// <inheritdoc />
    public async Task<Page<TaskInstance>> ListInstancesAsync(string accountId, string jobId, string taskName, IReadOnlyCollection<RunState>? states,
        string? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var afterIndex = Paging.AfterIndex(after);

        var stateNames = Paging.StateNames(states);
        var sql = $"SELECT {SqlColumns.Instance} FROM instances WHERE account_id = @accountId AND job_id = @jobId AND task_name = @taskName AND idx > @afterIndex"
            + (stateNames is null ? "" : " AND state = ANY(@stateNames)")
            + " ORDER BY idx LIMIT @fetch";
        var rows = await QueryAsync<InstanceRow>(sql, new { accountId, jobId, taskName, afterIndex, stateNames, fetch = limit + 1 }, cancellationToken).ConfigureAwait(false);
        return Paging.ToPage([.. rows.Select(r => r.ToModel())], limit, i => i.Index.ToString(CultureInfo.InvariantCulture));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TaskInstance>> ListStartedInstancesAsync(string accountId, string jobId, CancellationToken cancellationToken) =>
        [.. (await QueryAsync<InstanceRow>($"""
            SELECT {SqlColumns.Instance} FROM instances
            WHERE account_id = @accountId AND job_id = @jobId AND NOT (state = 'Waiting' AND attempts = 0)
            ORDER BY task_name, idx
            """, new { accountId, jobId }, cancellationToken).ConfigureAwait(false)).Select(r => r.ToModel())];

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, InstanceCounts>> CountInstancesAsync(string accountId, string jobId, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync<(string Name, long Waiting, long Running, long Finished, long Failed, long Stopped)>("""
            SELECT name, waiting_instances, running_instances, finished_instances, failed_instances, stopped_instances
            FROM tasks WHERE account_id = @accountId AND job_id = @jobId AND instance_count > 0
            """, new { accountId, jobId }, cancellationToken).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Name, r => new InstanceCounts(r.Waiting, r.Running, r.Finished, r.Failed, r.Stopped), StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public async Task<InstanceCounts> CountJobInstancesAsync(string accountId, string jobId, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync<(long Waiting, long Running, long Finished, long Failed, long Stopped)>("""
            SELECT coalesce(sum(waiting_instances), 0)::int8, coalesce(sum(running_instances), 0)::int8, coalesce(sum(finished_instances), 0)::int8,
                   coalesce(sum(failed_instances), 0)::int8, coalesce(sum(stopped_instances), 0)::int8
            FROM tasks WHERE account_id = @accountId AND job_id = @jobId
            """, new { accountId, jobId }, cancellationToken).ConfigureAwait(false);
        var r = rows[0];
        return new InstanceCounts(r.Waiting, r.Running, r.Finished, r.Failed, r.Stopped);
    }

    /// <inheritdoc />
    public Task StopWaitingInstancesAsync(string accountId, string jobId, DateTimeOffset at, CancellationToken cancellationToken) =>
        PgWriteAsync(ctx =>
        {
            ctx.Add("""
                UPDATE instances SET state = 'Stopped', error_code = 'Stopped', ended_at = $3
                WHERE account_id = $1 AND job_id = $2 AND state = 'Waiting'
                """, accountId, jobId, UnixMicros.From(at));
            ctx.Add("""
                UPDATE tasks SET stopped_instances = stopped_instances + waiting_instances, waiting_instances = 0
                WHERE account_id = $1 AND job_id = $2 AND waiting_instances > 0
                """, accountId, jobId);
        }, cancellationToken);

    /// <inheritdoc />
    public Task EndUnfinishedTasksAsync(string accountId, string jobId, DateTimeOffset at, CancellationToken cancellationToken) =>
        PgWriteAsync(ctx => ctx.Add("""
            UPDATE tasks SET state = CASE WHEN failed_instances > 0 THEN 'Failed' ELSE 'Stopped' END, ended_at = $3
            WHERE account_id = $1 AND job_id = $2 AND state IN ('Waiting', 'Running')
            """, accountId, jobId, UnixMicros.From(at)), cancellationToken);

    /// <inheritdoc />
    public Task ResetUnfinishedAsync(string accountId, string jobId, CancellationToken cancellationToken) =>
        PgWriteAsync(ctx =>
        {
            ctx.Add("""
                UPDATE instances SET state = 'Waiting', attempts = 0, node_id = NULL, host = NULL, exit_code = NULL,
                    error_code = NULL, error_message = NULL, started_at = NULL, ended_at = NULL
                WHERE account_id = $1 AND job_id = $2 AND state <> 'Finished'
                """, accountId, jobId);
            ctx.Add("""
                UPDATE tasks SET waiting_instances = waiting_instances + running_instances + failed_instances + stopped_instances,
                    running_instances = 0, failed_instances = 0, stopped_instances = 0
                WHERE account_id = $1 AND job_id = $2 AND running_instances + failed_instances + stopped_instances > 0
                """, accountId, jobId);
            // Like SetTaskStateAsync(Waiting): EndedAt is cleared, the first StartedAt kept.
            ctx.Add("""
                UPDATE tasks SET state = 'Waiting', ended_at = NULL
                WHERE account_id = $1 AND job_id = $2 AND state <> 'Finished'
                """, accountId, jobId);
        }, cancellationToken);
}
