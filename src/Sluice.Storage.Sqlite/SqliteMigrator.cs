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
    private const string ResourceMarker = ".Migrations.";

    private static readonly Lazy<IReadOnlyList<Migration>> Embedded = new(LoadEmbedded);

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
            throw new SluiceException(ErrorCodes.InternalError,
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

    private static IReadOnlyList<Migration> LoadEmbedded()
    {
        var assembly = typeof(SqliteMigrator).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var at = resource.IndexOf(ResourceMarker, StringComparison.Ordinal);
            if (at < 0 || !resource.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }

            // Resource names are "<root namespace>.Migrations.0001_initial.sql".
            var name = resource[(at + ResourceMarker.Length)..^".sql".Length];
            var underscore = name.IndexOf('_', StringComparison.Ordinal);
            var version = int.Parse(underscore < 0 ? name : name[..underscore], NumberStyles.None, CultureInfo.InvariantCulture);
            migrations.Add(new Migration(version, name, Read(assembly, resource)));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException($"Migration versions must run 1, 2, 3… without gaps; found {migrations[i].Name}.");
            }
        }

        return migrations;
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    internal sealed record Migration(int Version, string Name, string Sql);
}
