using System.Net.Sockets;
using Npgsql;
using Sluice.Contracts;
using Sluice.Core;

namespace Sluice.Storage.Postgres;

/// <summary>Classifies PostgreSQL failures and turns the ones a user can act on into clear messages.</summary>
internal static class PostgresErrors
{
    /// <summary>
    /// Failures that go away by themselves: the server is unreachable, restarting or shutting down, the
    /// connection broke, or this transaction lost a deadlock or serialization race. Retrying is right.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal)
            || pg.SqlState is "40001" or "40P01" or "57P01" or "57P02" or "57P03" or "53300" or "55000"
            || pg.SqlState.StartsWith("58", StringComparison.Ordinal),
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is SocketException or IOException or EndOfStreamException or TimeoutException,
        SocketException or IOException or EndOfStreamException or TimeoutException => true,
        _ => false,
    };

    /// <summary>Wrong credentials, an unknown database or role, a server that is not PostgreSQL: retrying will not help.</summary>
    public static bool IsConfiguration(Exception exception) =>
        exception is PostgresException { SqlState: "28P01" or "28000" or "3D000" or "42501" } or ArgumentException;

    /// <summary>Describes where the store connects without its password.</summary>
    public static string Describe(NpgsqlConnectionStringBuilder builder) =>
        $"{builder.Host}:{builder.Port}, database '{builder.Database ?? builder.Username}', user '{builder.Username}'";

    public static ServiceException Unavailable(NpgsqlConnectionStringBuilder builder, Exception cause) =>
        new(ErrorCodes.StoreUnavailable,
            $"the PostgreSQL database at {Describe(builder)} cannot be reached ({Reason(cause)}); the server retries, try again shortly");

    public static ServiceException CannotStart(NpgsqlConnectionStringBuilder builder, Exception cause) =>
        new(ErrorCodes.StoreUnavailable,
            $"cannot open the PostgreSQL database at {Describe(builder)}: {Reason(cause)}. " +
            "Check Store:ConnectionString (env SLUICE_Store__ConnectionString) and that the database server runs.");

    private static string Reason(Exception cause) => cause switch
    {
        PostgresException pg => $"{pg.SqlState} {pg.MessageText}",
        NpgsqlException { InnerException: { } inner } npgsql => $"{npgsql.Message} {inner.Message}",
        _ => cause.Message,
    };
}
