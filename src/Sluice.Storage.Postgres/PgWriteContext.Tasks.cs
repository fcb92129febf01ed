using Npgsql;
using NpgsqlTypes;
using Sluice.Core.Model;
using Sluice.Storage.Relational;

namespace Sluice.Storage.Postgres;

// PostgreSQL-specific because it measurably pays: a 100,000-task job is one binary COPY stream, not 100,000
// statements, and its instances one INSERT … SELECT over generate_series, so no instance row crosses the wire.
internal sealed partial class PgWriteContext
{
    private const string CopyTasksSql = """
        COPY tasks (job_id, name, account_id, command_line, state, instance_count, max_retry_count, cpu, memory_mib,
            timeout_seconds, env_json, successors_json, package_path, stdout_redirect_path, stderr_redirect_path,
            started_at, ended_at, waiting_instances) FROM STDIN (FORMAT BINARY)
        """;

    // New instances are Waiting with no attempt.
    private const string InsertInstancesSql = """
        INSERT INTO instances (job_id, task_name, idx, account_id, state)
        SELECT t.job_id, t.name, i, t.account_id, 'Waiting' FROM tasks AS t, generate_series(0, t.instance_count - 1) AS i
        WHERE t.job_id = $1 AND t.account_id = $2
        """;

    async ValueTask IWriteContext.InsertTasksAsync(Job job, IReadOnlyList<JobTask> tasks)
    {
        // A COPY is its own round trip: what is queued goes first.
        await FlushAsync(CancellationToken.None).ConfigureAwait(false);
        await CopyTasksAsync(Connection, job, tasks).ConfigureAwait(false);
        Add(InsertInstancesSql, job.Id, job.AccountId);
    }

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
}
