using Microsoft.Data.Sqlite;

namespace Sluice.Storage.Sqlite.Tests;

/// <summary>A database file in a temp directory of its own, deleted with the directory.</summary>
internal sealed class TempDatabase : IDisposable
{
    private readonly string _directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sluice-sqlite-" + Guid.NewGuid().ToString("N"));

    public TempDatabase() => Directory.CreateDirectory(_directory);

    public string Path => System.IO.Path.Combine(_directory, "sluice.db");

    public SqliteStoreOptions Options => new() { DatabasePath = Path };

    public async Task<SqliteStore> OpenStoreAsync()
    {
        var store = new SqliteStore(Options);
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    /// <summary>A raw connection for inspecting the file; not pooled so it leaves nothing open.</summary>
    public SqliteConnection OpenRaw()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    /// <summary>Size of the database with its write-ahead log.</summary>
    public long SizeBytes =>
        new[] { Path, Path + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leaked handle must not fail the test; the temp directory is cleaned by the OS.
        }
    }
}
