using Npgsql;
using Sluice.Storage.Relational;

namespace Sluice.Storage.Postgres;

/// <summary>PostgreSQL's SQL where it differs from SQLite's.</summary>
internal sealed class PostgresDialect : SqlDialect
{
    public static readonly PostgresDialect Instance = new();

    /// <summary>The list travels as one array parameter (Dapper passes arrays through to Npgsql).</summary>
    public override string AnyOf(string column, string parameter) => $"{column} = ANY({parameter})";

    public override bool IsClientTokenConflict(Exception exception, string table) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg && pg.ConstraintName == $"ux_{table}_client_token";
}
