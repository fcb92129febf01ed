using System.Globalization;

namespace Sluice.Storage.Relational;

/// <summary>
/// The SQL text on which SQLite and PostgreSQL differ, for <see cref="RelationalStore"/>; each
/// <see cref="StoreDatabase"/> defines its own. Everything else is written once: both read positional <c>$n</c>
/// parameters, <c>INSERT … ON CONFLICT … DO UPDATE … excluded</c> upserts, <c>CAST(x AS BOOLEAN | INTEGER | BIGINT |
/// TEXT)</c>, <c>UPDATE … FROM</c>, <c>INSERT … SELECT</c> and <c>RETURNING</c>. Bulk inserts and cross-server locks
/// need a connection, so they belong to each database's <see cref="IWriteContext"/>.
/// </summary>
/// <param name="anyOfFormat">
/// A condition that column {0} is one of the values of the list parameter {1}, given to Dapper as an array:
/// <c>{0} IN {1}</c> where Dapper expands the list (SQLite), <c>{0} = ANY({1})</c> where the array is one parameter (PostgreSQL).
/// </param>
/// <param name="isClientTokenConflict">Whether an exception is a violation of the unique index <c>ux_{table}_client_token</c>.</param>
internal sealed class SqlDialect(string anyOfFormat, Func<Exception, string, bool> isClientTokenConflict)
{
    public string AnyOf(string column, string parameter) => string.Format(CultureInfo.InvariantCulture, anyOfFormat, column, parameter);

    public bool IsClientTokenConflict(Exception exception, string table) => isClientTokenConflict(exception, table);
}
