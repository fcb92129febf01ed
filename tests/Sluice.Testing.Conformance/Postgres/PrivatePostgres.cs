using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Sluice.Testing.Conformance.Postgres;

/// <summary>
/// A PostgreSQL server of this test alone (scripts/postgres-dev.sh start), for tests that stop and
/// start the database; deleted by <see cref="DisposeAsync"/>.
/// </summary>
public sealed partial class PrivatePostgres : IAsyncDisposable
{
    private PrivatePostgres(string directory, string connectionString)
    {
        Directory = directory;
        ConnectionString = connectionString;
    }

    public string Directory { get; }

    public string ConnectionString { get; }

    public static async Task<PrivatePostgres> StartAsync()
    {
        var output = await ScriptAsync("start");
        var connection = ConnectionPattern().Match(output);
        var directory = DirectoryPattern().Match(output);
        if (!connection.Success || !directory.Success)
        {
            throw new InvalidOperationException("scripts/postgres-dev.sh start printed no connection string: " + output);
        }

        return new PrivatePostgres(directory.Groups[1].Value, connection.Groups[1].Value);
    }

    /// <summary>Stops the server (fast shutdown by its PID), keeping the data.</summary>
    public Task DownAsync() => ScriptAsync("down", Directory);

    /// <summary>Starts it again on the same port.</summary>
    public Task UpAsync() => ScriptAsync("up", Directory);

    public async ValueTask DisposeAsync() => await ScriptAsync("stop", Directory);

    private static async Task<string> ScriptAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(TestPostgres.RepositoryRoot, "scripts", "postgres-dev.sh"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/postgres-dev.sh {string.Join(' ', arguments)} failed ({process.ExitCode}): {await stderr}");
        }

        return await stdout;
    }

    [GeneratedRegex("SLUICE_TEST_POSTGRES='([^']*)'")]
    private static partial Regex ConnectionPattern();

    [GeneratedRegex("SLUICE_TEST_POSTGRES_DIR='([^']*)'")]
    private static partial Regex DirectoryPattern();
}
