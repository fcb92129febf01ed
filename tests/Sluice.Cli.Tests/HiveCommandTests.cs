namespace Sluice.Cli.Tests;

/// <summary>
/// Issue #18: <c>sluice hive</c> as a real process, without a server: a script with <c>--hivevar</c> and <c>-d</c> over
/// s3:// URIs of the local store <c>sluice fs</c> uses (downloaded when read, uploaded when written), and local paths.
/// </summary>
public sealed class HiveCommandTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("sluice-cli-hive-").FullName;
    private readonly string _bucket = "s3://hive-cli-" + Guid.NewGuid().ToString("N")[..10];

    private string Data => Path.Combine(_home, "data");

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private Task<CliResult> SluiceAsync(params string[] args) => Cli.RunAsync(new CliEnvironment(_home), args);

    [Fact]
    public async Task Hive_ScriptOverObjectUris_ExternalTableLoadAndInsertDirectory_WritesToTheStore()
    {
        var data = Path.Combine(_home, "rows.txt");
        await File.WriteAllTextAsync(data, "a,1\nb,2\na,3\n");
        var script = Path.Combine(_home, "q.hql");
        await File.WriteAllTextAsync(script, """
            CREATE EXTERNAL TABLE kv (k STRING, v INT) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION '${hivevar:LOCAT}';
            LOAD DATA INPATH '${INPUT}' INTO TABLE kv;
            INSERT OVERWRITE DIRECTORY '${OUTPUT}' SELECT k, sum(v) FROM kv GROUP BY k ORDER BY k;
            SELECT count(*) FROM kv;
            """);
        (await SluiceAsync("fs", "--data", Data, "mb", _bucket)).ShouldExit(0);
        (await SluiceAsync("fs", "--data", Data, "cp", data, $"{_bucket}/in/rows.txt")).ShouldExit(0);

        var run = (await SluiceAsync("hive", "--data", Data, "-f", script, "--hivevar", $"LOCAT={_bucket}/tables/kv", "-d", $"INPUT={_bucket}/in/rows.txt", "-d", $"OUTPUT={_bucket}/out")).ShouldExit(0);
        var output = (await SluiceAsync("fs", "--data", Data, "cat", $"{_bucket}/out/000000_0")).ShouldExit(0);
        var table = (await SluiceAsync("fs", "--data", Data, "cat", $"{_bucket}/tables/kv/rows.txt")).ShouldExit(0);

        Assert.Equal("3\n", run.Stdout);
        Assert.Equal("a\u00014\nb\u00012\n", output.Stdout);
        Assert.Equal("a,1\nb,2\na,3\n", table.Stdout);
        // The tables persist in the data directory's local metastore for the next run.
        var again = (await SluiceAsync("hive", "--data", Data, "-e", "SELECT max(v) FROM kv")).ShouldExit(0);
        Assert.Equal("3\n", again.Stdout);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Data, "hive", "local", "objects")));
    }

    [Fact]
    public async Task Hive_FailingStatement_ExitsNonZeroWithTheFailureOnStderr()
    {
        var run = await SluiceAsync("hive", "--data", Data, "-e", "SELECT 1;\nSELECT * FROM nowhere");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("FAILED: SemanticException [Error 10001]: Line 2:15 Table not found 'nowhere'", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(64, (await SluiceAsync("hive", "--data", Data)).ExitCode);
    }
}
