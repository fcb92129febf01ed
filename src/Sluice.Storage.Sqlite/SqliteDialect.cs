using Microsoft.Data.Sqlite;
using Sluice.Storage.Relational;

namespace Sluice.Storage.Sqlite;

/// <summary>SQLite's SQL where it differs from PostgreSQL's.</summary>
internal sealed class SqliteDialect : SqlDialect
{
    public static readonly SqliteDialect Instance = new();

    /// <summary>SQLite has no arrays: Dapper expands the list into one parameter per value.</summary>
    public override string AnyOf(string column, string parameter) => $"{column} IN {parameter}";

    /// <summary>SQLITE_CONSTRAINT_UNIQUE names the index's columns (<c>jobs.account_id, jobs.client_token</c>), not the index.</summary>
    public override bool IsClientTokenConflict(Exception exception, string table) =>
        exception is SqliteException { SqliteExtendedErrorCode: 2067 } sqlite
        && sqlite.Message.Contains($"{table}.client_token", StringComparison.Ordinal);
}
