using Npgsql;
using Sluice.Testing.Conformance.Postgres;

namespace Sluice.Cli.Tests;

/// <summary>
/// A schema of its own in the test PostgreSQL (SLUICE_TEST_POSTGRES, which scripts/test.sh sets), and the
/// server configuration that points `sluice up` at it with short leases, so a take-over happens in seconds.
/// </summary>
public sealed class SharedDatabase
{
    public string Schema { get; } = "ms_" + Guid.NewGuid().ToString("N")[..16];

    public string ConnectionString { get; init; } = TestPostgres.ConnectionString;

    /// <summary>The secrets key every server on this database shares (SLUICE_SECRETS_KEY); each has a data directory of its own.</summary>
    public string SecretsKey { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public IReadOnlyDictionary<string, string> ServerVariables(double leaseSeconds = 2) => new Dictionary<string, string>
    {
        ["SLUICE_Store__Provider"] = "postgres",
        ["SLUICE_Store__ConnectionString"] = ConnectionString,
        ["SLUICE_Store__Schema"] = Schema,
        ["SLUICE_Store__LeaseSeconds"] = leaseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["SLUICE_Store__HeartbeatSeconds"] = "0.5",
        ["SLUICE_SECRETS_KEY"] = SecretsKey,
    };

    /// <summary>An unpooled connection whose search path is this schema, for a test that looks at or locks Sluice's rows.</summary>
    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false, SearchPath = Schema }.ToString());
        await connection.OpenAsync();
        return connection;
    }

    public async Task DropAsync()
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{Schema}\" CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }
}
