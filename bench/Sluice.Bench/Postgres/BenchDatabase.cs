using System.Globalization;
using Npgsql;
using Sluice.Server.Hosting;

namespace Sluice.Bench.Postgres;

/// <summary>A schema of its own in the PostgreSQL named by SLUICE_TEST_POSTGRES (scripts/postgres-dev.sh start prints it), dropped after.</summary>
internal sealed class BenchDatabase
{
    private const string Variable = "SLUICE_TEST_POSTGRES";

    public BenchDatabase(string name)
    {
        ConnectionString = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set: the PostgreSQL benchmarks need a server. Start a throw-away one with `eval \"$(bash scripts/postgres-dev.sh start)\"`.");
        Schema = string.Create(CultureInfo.InvariantCulture, $"bench_{name}_{Environment.ProcessId}");
    }

    public string ConnectionString { get; }

    public string Schema { get; }

    public StoreSettings Store => new() { Provider = "postgres", ConnectionString = ConnectionString, Schema = Schema };

    public async Task DropAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{Schema}\" CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }
}
