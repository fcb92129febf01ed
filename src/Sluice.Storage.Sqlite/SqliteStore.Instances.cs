using Sluice.Storage.Relational;
using System.Globalization;
using Dapper;
using Sluice.Core.Model;

namespace Sluice.Storage.Sqlite;

public sealed partial class SqliteStore
{
    // The event reads the previous state from the row before the UPDATE replaces it: no managed
    // read-before-write, and nothing at all happens for an unknown key or another account's row.
    private const string InsertInstanceEventSql = """
        INSERT INTO events (account_id, kind, resource_id, from_state, to_state, at)
        SELECT account_id, 'Instance', @resource_id, state, @state, @at FROM instances
        WHERE account_id = @account_id AND job_id = @job_id AND task_name = @task_name AND idx = @idx AND state <> @state
        """;

    // The task's counters move from the previous state to the new one, read the same way.
    private const string MoveInstanceCountSql = """
        UPDATE tasks SET
            waiting_instances = waiting_instances + (@state = 'Waiting') - (prev.state = 'Waiting'),
            running_instances = running_instances + (@state = 'Running') - (prev.state = 'Running'),
            finished_instances = finished_instances + (@state = 'Finished') - (prev.state = 'Finished'),
            failed_instances = failed_instances + (@state = 'Failed') - (prev.state = 'Failed'),
            stopped_instances = stopped_instances + (@state = 'Stopped') - (prev.state = 'Stopped')
        FROM (SELECT state FROM instances
              WHERE account_id = @account_id AND job_id = @job_id AND task_name = @task_name AND idx = @idx) AS prev
        WHERE tasks.job_id = @job_id AND tasks.name = @task_name AND prev.state <> @state
        """;

    private const string UpdateInstanceSql = """
        UPDATE instances SET state = @state, attempts = @attempts, node_id = @node_id, host = @host,
            exit_code = @exit_code, error_code = @error_code, error_message = @error_message,
            started_at = @started_at, ended_at = @ended_at
        WHERE account_id = @account_id AND job_id = @job_id AND task_name = @task_name AND idx = @idx
        """;

    /// <inheritdoc />
    public Task UpdateInstanceAsync(TaskInstance instance, CancellationToken cancellationToken) =>
        SqliteWriteAsync(ctx =>
        {
            var state = instance.State.ToString();
            var at = InstanceEventTime.Of(instance, Now);
            ctx.Prepared(InsertInstanceEventSql, "@account_id", "@job_id", "@task_name", "@idx", "@state", "@resource_id", "@at")
                .Bind(0, instance.AccountId)
                .Bind(1, instance.JobId)
                .Bind(2, instance.TaskName)
                .Bind(3, instance.Index)
                .Bind(4, state)
                .Bind(5, string.Create(CultureInfo.InvariantCulture, $"{instance.JobId}/{instance.TaskName}/{instance.Index}"))
                .Bind(6, UnixMicros.From(at))
                .ExecuteNonQuery();

            ctx.Prepared(MoveInstanceCountSql, "@account_id", "@job_id", "@task_name", "@idx", "@state")
                .Bind(0, instance.AccountId)
                .Bind(1, instance.JobId)
                .Bind(2, instance.TaskName)
                .Bind(3, instance.Index)
                .Bind(4, state)
                .ExecuteNonQuery();

            ctx.Prepared(UpdateInstanceSql, "@account_id", "@job_id", "@task_name", "@idx", "@state", "@attempts", "@node_id", "@host",
                    "@exit_code", "@error_code", "@error_message", "@started_at", "@ended_at")
                .Bind(0, instance.AccountId)
                .Bind(1, instance.JobId)
                .Bind(2, instance.TaskName)
                .Bind(3, instance.Index)
                .Bind(4, state)
                .Bind(5, instance.Attempts)
                .Bind(6, instance.NodeId)
                .Bind(7, instance.Host)
                .Bind(8, instance.ExitCode)
                .Bind(9, instance.ErrorCode)
                .Bind(10, instance.ErrorMessage)
                .Bind(11, UnixMicros.From(instance.StartedAt))
                .Bind(12, UnixMicros.From(instance.EndedAt))
                .ExecuteNonQuery();
        }, cancellationToken);

    private const string GetInstanceSql =
        $"SELECT {SqlColumns.Instance} FROM instances WHERE account_id = @account_id AND job_id = @job_id AND task_name = @task_name AND idx = @idx";

    /// <inheritdoc />
    public Task<TaskInstance?> GetInstanceAsync(string accountId, string jobId, string taskName, int index, CancellationToken cancellationToken) =>
        HotReadAsync(commands =>
        {
            using var reader = commands.Get(GetInstanceSql, null, "@account_id", "@job_id", "@task_name", "@idx")
                .Bind(0, accountId).Bind(1, jobId).Bind(2, taskName).Bind(3, index).ExecuteReader();
            return reader.Read() ? RowReaders.Instance(reader).ToModel() : null;
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<Page<TaskInstance>> ListInstancesAsync(string accountId, string jobId, string taskName, IReadOnlyCollection<RunState>? states,
        string? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var afterIndex = Paging.AfterIndex(after);

        var stateNames = Paging.StateNames(states);
        var sql = $"SELECT {SqlColumns.Instance} FROM instances WHERE account_id = @accountId AND job_id = @jobId AND task_name = @taskName AND idx > @afterIndex"
            + (stateNames is null ? "" : " AND state IN @stateNames")
            + " ORDER BY idx LIMIT @fetch";
        var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var lease = connection.ConfigureAwait(false);
        var rows = await connection.QueryAsync<InstanceRow>(new CommandDefinition(
            sql, new { accountId, jobId, taskName, afterIndex, stateNames, fetch = limit + 1 }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return Paging.ToPage([.. rows.Select(r => r.ToModel())], limit, i => i.Index.ToString(CultureInfo.InvariantCulture));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TaskInstance>> ListStartedInstancesAsync(string accountId, string jobId, CancellationToken cancellationToken)
    {
        var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var lease = connection.ConfigureAwait(false);
        var rows = await connection.QueryAsync<InstanceRow>(new CommandDefinition(
            $"""
            SELECT {SqlColumns.Instance} FROM instances
            WHERE account_id = @accountId AND job_id = @jobId AND NOT (state = 'Waiting' AND attempts = 0)
            ORDER BY task_name, idx
            """,
            new { accountId, jobId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToModel())];
    }

    // The counters kept on the task rows (migration 0002): one row per task, not per instance.
    private const string CountInstancesSql = """
        SELECT name, waiting_instances, running_instances, finished_instances, failed_instances, stopped_instances
        FROM tasks WHERE account_id = @account_id AND job_id = @job_id AND instance_count > 0
        """;

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, InstanceCounts>> CountInstancesAsync(string accountId, string jobId, CancellationToken cancellationToken) =>
        HotReadAsync<IReadOnlyDictionary<string, InstanceCounts>>(commands =>
        {
            using var reader = commands.Get(CountInstancesSql, null, "@account_id", "@job_id").Bind(0, accountId).Bind(1, jobId).ExecuteReader();
            var counts = new Dictionary<string, InstanceCounts>(StringComparer.Ordinal);
            while (reader.Read())
            {
                counts.Add(reader.GetString(0), new InstanceCounts(reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5)));
            }

            return counts;
        }, cancellationToken);

    private const string CountJobInstancesSql = """
        SELECT coalesce(sum(waiting_instances), 0), coalesce(sum(running_instances), 0), coalesce(sum(finished_instances), 0),
               coalesce(sum(failed_instances), 0), coalesce(sum(stopped_instances), 0)
        FROM tasks WHERE account_id = @account_id AND job_id = @job_id
        """;

    /// <inheritdoc />
    public Task<InstanceCounts> CountJobInstancesAsync(string accountId, string jobId, CancellationToken cancellationToken) =>
        HotReadAsync(commands =>
        {
            using var reader = commands.Get(CountJobInstancesSql, null, "@account_id", "@job_id").Bind(0, accountId).Bind(1, jobId).ExecuteReader();
            reader.Read();
            return new InstanceCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
        }, cancellationToken);

    /// <inheritdoc />
    public Task StopWaitingInstancesAsync(string accountId, string jobId, DateTimeOffset at, CancellationToken cancellationToken) =>
        SqliteWriteAsync(ctx =>
        {
            var param = new { at = UnixMicros.From(at), accountId, jobId };
            ctx.Execute("""
                UPDATE instances SET state = 'Stopped', error_code = 'Stopped', ended_at = @at
                WHERE account_id = @accountId AND job_id = @jobId AND state = 'Waiting'
                """, param);
            ctx.Execute("""
                UPDATE tasks SET stopped_instances = stopped_instances + waiting_instances, waiting_instances = 0
                WHERE account_id = @accountId AND job_id = @jobId AND waiting_instances > 0
                """, param);
        }, cancellationToken);

    /// <inheritdoc />
    public Task EndUnfinishedTasksAsync(string accountId, string jobId, DateTimeOffset at, CancellationToken cancellationToken) =>
        SqliteWriteAsync(ctx => ctx.Execute("""
            UPDATE tasks SET state = CASE WHEN failed_instances > 0 THEN 'Failed' ELSE 'Stopped' END, ended_at = @at
            WHERE account_id = @accountId AND job_id = @jobId AND state IN ('Waiting', 'Running')
            """, new { at = UnixMicros.From(at), accountId, jobId }), cancellationToken);

    /// <inheritdoc />
    public Task ResetUnfinishedAsync(string accountId, string jobId, CancellationToken cancellationToken) =>
        SqliteWriteAsync(ctx =>
        {
            var key = new { accountId, jobId };
            ctx.Execute("""
                UPDATE instances SET state = 'Waiting', attempts = 0, node_id = NULL, host = NULL, exit_code = NULL,
                    error_code = NULL, error_message = NULL, started_at = NULL, ended_at = NULL
                WHERE account_id = @accountId AND job_id = @jobId AND state <> 'Finished'
                """, key);
            ctx.Execute("""
                UPDATE tasks SET waiting_instances = waiting_instances + running_instances + failed_instances + stopped_instances,
                    running_instances = 0, failed_instances = 0, stopped_instances = 0
                WHERE account_id = @accountId AND job_id = @jobId AND running_instances + failed_instances + stopped_instances > 0
                """, key);
            // Like SetTaskStateAsync(Waiting): EndedAt is cleared, the first StartedAt kept.
            ctx.Execute("""
                UPDATE tasks SET state = 'Waiting', ended_at = NULL
                WHERE account_id = @accountId AND job_id = @jobId AND state <> 'Finished'
                """, key);
        }, cancellationToken);
}
