using Npgsql;

namespace Sluice.Cli.Tests;

/// <summary>
/// A schema of its own in the test PostgreSQL (SLUICE_TEST_POSTGRES, which scripts/test.sh sets), and the
/// server configuration that points `sluice up` at it with short leases, so a take-over happens in seconds.
/// </summary>
public sealed class SharedDatabase
{
    public const string Variable = "SLUICE_TEST_POSTGRES";

    public string Schema { get; } = "ms_" + Guid.NewGuid().ToString("N")[..16];

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set, so there is no PostgreSQL for the multi-server tests. Start a throw-away one with " +
                "`eval \"$(bash scripts/postgres-dev.sh start)\"`, or run `bash scripts/test.sh`, which does.");

    public IReadOnlyDictionary<string, string> ServerVariables(string connectionString) => new Dictionary<string, string>
    {
        ["SLUICE_Store__Provider"] = "postgres",
        ["SLUICE_Store__ConnectionString"] = connectionString,
        ["SLUICE_Store__Schema"] = Schema,
        ["SLUICE_Store__LeaseSeconds"] = "2",
        ["SLUICE_Store__HeartbeatSeconds"] = "0.5",
    };

    public IReadOnlyDictionary<string, string> ServerVariables() => ServerVariables(ConnectionString);

    public async Task DropAsync()
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{Schema}\" CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }
}
