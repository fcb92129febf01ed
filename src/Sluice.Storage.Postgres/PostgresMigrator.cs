using System.Globalization;
using System.Reflection;
using Dapper;
using Npgsql;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Storage.Relational;

namespace Sluice.Storage.Postgres;

/// <summary>
/// Applies the embedded <c>Migrations/NNNN_name.sql</c> scripts in order, in one transaction that
/// also records each version in <c>schema_version</c>. A session advisory lock keyed on the schema
/// serialises servers that start together: the second waits, then finds nothing left to do.
/// </summary>
internal static class PostgresMigrator
{
    private static readonly Lazy<IReadOnlyList<Migration>> Embedded = new(() => EmbeddedMigrations.Load(typeof(PostgresMigrator).Assembly));

    public static IReadOnlyList<Migration> Migrations => Embedded.Value;

    public static int LatestVersion => Migrations.Count == 0 ? 0 : Migrations[^1].Version;

    public static async Task MigrateAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        var quoted = Quote(schema);
        var lockKey = new CommandDefinition("SELECT pg_advisory_lock(hashtextextended('sluice.migrate.' || @schema, 0))",
            new { schema }, cancellationToken: cancellationToken);
        await connection.ExecuteAsync(lockKey).ConfigureAwait(false);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var transactionLease = transaction.ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition($"""
                CREATE SCHEMA IF NOT EXISTS {quoted};
                CREATE TABLE IF NOT EXISTS {quoted}.schema_version (
                    version     integer NOT NULL PRIMARY KEY,
                    name        text    NOT NULL,
                    applied_at  timestamptz NOT NULL DEFAULT now()
                );
                SET LOCAL search_path TO {quoted};
                """, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            var applied = (await connection.QueryAsync<int>(new CommandDefinition(
                "SELECT version FROM schema_version", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToHashSet();
            var current = applied.Count == 0 ? 0 : applied.Max();
            if (current > LatestVersion)
            {
                throw new ServiceException(ErrorCodes.StoreUnavailable,
                    $"The PostgreSQL schema '{schema}' has schema version {current}, but this build of Sluice knows versions up to {LatestVersion}. " +
                    "It was written by a newer Sluice: upgrade Sluice to open it (or point this one at another database or schema).");
            }

            // Every version not recorded yet, in order: one merged after a higher one (numbers are handed out in advance) still runs.
            foreach (var migration in Migrations.Where(m => !applied.Contains(m.Version)))
            {
                await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                await connection.ExecuteAsync(new CommandDefinition("INSERT INTO schema_version (version, name) VALUES (@Version, @Name)",
                    new { migration.Version, migration.Name }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(hashtextextended('sluice.migrate.' || @schema, 0))",
                new { schema }, cancellationToken: CancellationToken.None)).ConfigureAwait(false);
        }
    }

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
