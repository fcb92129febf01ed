using Sluice.Storage.Relational;
using System.Globalization;
using System.Reflection;
using Dapper;
using Microsoft.Data.Sqlite;
using Sluice.Contracts;
using Sluice.Core;

namespace Sluice.Storage.Sqlite;

/// <summary>
/// Applies the embedded <c>Migrations/NNNN_name.sql</c> scripts in order, each in one transaction that
/// also records its version in <c>schema_version</c>, so a crash never leaves a half-applied version.
/// </summary>
internal static class SqliteMigrator
{
    private static readonly Lazy<IReadOnlyList<Migration>> Embedded = new(() => EmbeddedMigrations.Load(typeof(SqliteMigrator).Assembly));

    public static IReadOnlyList<Migration> Migrations => Embedded.Value;

    public static int LatestVersion => Migrations.Count == 0 ? 0 : Migrations[^1].Version;

    public static void Migrate(SqliteConnection connection)
    {
        connection.Execute("""
            CREATE TABLE IF NOT EXISTS schema_version (
                version     INTEGER NOT NULL PRIMARY KEY,
                name        TEXT    NOT NULL,
                applied_at  INTEGER NOT NULL
            )
            """);

        // IMMEDIATE: a second process migrating the same file waits here instead of racing.
        using var transaction = connection.BeginTransaction(deferred: false);
        var current = connection.ExecuteScalar<long?>("SELECT MAX(version) FROM schema_version", transaction: transaction) ?? 0;
        if (current > LatestVersion)
        {
            throw new ServiceException(ErrorCodes.InternalError,
                $"The database '{connection.DataSource}' has schema version {current}, but this build of Sluice knows versions up to {LatestVersion}. " +
                "It was written by a newer Sluice: upgrade Sluice to open it (or point this one at another database).");
        }

        foreach (var migration in Migrations)
        {
            if (migration.Version <= current)
            {
                continue;
            }

            connection.Execute(migration.Sql, transaction: transaction);
            connection.Execute("INSERT INTO schema_version (version, name, applied_at) VALUES (@Version, @Name, @At)",
                new { migration.Version, migration.Name, At = UnixMicros.From(DateTimeOffset.UtcNow) }, transaction);
        }

        transaction.Commit();
    }
}
