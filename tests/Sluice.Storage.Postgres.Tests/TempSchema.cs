using Dapper;
using Npgsql;

using Sluice.Testing.Conformance.Postgres;

namespace Sluice.Storage.Postgres.Tests;

/// <summary>A schema of its own in the test database, dropped with everything in it.</summary>
internal sealed class TempSchema
{
    public string Name { get; } = "t_" + Guid.NewGuid().ToString("N")[..16];

    public string ConnectionString { get; init; } = TestPostgres.ConnectionString;

    public PostgresStoreOptions Options => new() { ConnectionString = ConnectionString, Schema = Name };

    public async Task<PostgresStore> OpenStoreAsync()
    {
        var store = new PostgresStore(Options);
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    public async Task<NpgsqlConnection> OpenRawAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = Name, Pooling = false }.ToString());
        await connection.OpenAsync();
        return connection;
    }

    public async Task DropAsync()
    {
        try
        {
            await using var connection = await OpenRawAsync();
            await connection.ExecuteAsync($"DROP SCHEMA IF EXISTS \"{Name}\" CASCADE");
        }
        catch (NpgsqlException)
        {
            // The server is gone (a test stopped it); its directory is deleted with it.
        }
    }
}
