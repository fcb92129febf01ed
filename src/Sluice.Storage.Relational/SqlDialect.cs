namespace Sluice.Storage.Relational;

/// <summary>
/// The SQL text on which SQLite and PostgreSQL differ, for <see cref="RelationalStore"/>. Everything else is
/// written once: both read positional <c>$n</c> parameters, <c>INSERT … ON CONFLICT … DO UPDATE … excluded</c>
/// upserts, <c>CAST(x AS BOOLEAN | INTEGER | BIGINT | TEXT)</c>, <c>INSERT … SELECT</c> and <c>RETURNING</c>.
/// Bulk inserts and cross-server locks belong to each database's <see cref="IWriteContext"/>.
/// </summary>
internal abstract class SqlDialect
{
    /// <summary>
    /// A condition that <paramref name="column"/> is one of the values of the list parameter
    /// <paramref name="parameter"/> (a Dapper parameter given as an array).
    /// </summary>
    public abstract string AnyOf(string column, string parameter);

    /// <summary>Whether <paramref name="exception"/> is a violation of the unique client-token index of <paramref name="table"/> (<c>ux_{table}_client_token</c>).</summary>
    public abstract bool IsClientTokenConflict(Exception exception, string table);
}
