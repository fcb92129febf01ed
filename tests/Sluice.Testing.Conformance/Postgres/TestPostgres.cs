namespace Sluice.Testing.Conformance.Postgres;

/// <summary>Where the tests find PostgreSQL: the server <c>scripts/postgres-dev.sh start</c> runs (scripts/test.sh starts one).</summary>
public static class TestPostgres
{
    public const string Variable = "SLUICE_TEST_POSTGRES";

    /// <summary>The connection string of the test server; fails the test with how to start one when it is missing.</summary>
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set, so there is no PostgreSQL to test against. Start a throw-away one with " +
                "`eval \"$(bash scripts/postgres-dev.sh start)\"` (it prints the variable), or run `bash scripts/test.sh`, which does.");

    /// <summary>The repository root (for scripts/postgres-dev.sh).</summary>
    public static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Sluice.slnx")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("Sluice.slnx not found above " + AppContext.BaseDirectory);
        }
    }
}
