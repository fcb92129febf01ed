namespace Sluice.Hive.Tests;

/// <summary>Issue #18 item 5: parse errors name line, column and token; unsupported constructs fail naming them; later statements do not run.</summary>
public sealed class HiveErrorTests : IDisposable
{
    private readonly HiveRun _run = new();

    public void Dispose() => _run.Dispose();

    [Theory]
    [InlineData("SELECT 1;\nSELECT key FROM FROM src;", "ParseException line 2:17", "'FROM'")]
    [InlineData("SELEKT 1;", "ParseException line 1:1", "'SELEKT'")]
    [InlineData("SELECT (1 + 2;", "ParseException line 1:14", "'<EOF>'")]
    [InlineData("SELECT 'open;", "ParseException line 1:8", "unterminated string")]
    [InlineData("CREATE TABLE t (a INTEGERS);", "ParseException line 1:19", "'INTEGERS'")]
    [InlineData("SELECT 1 #;", "ParseException line 1:10", "'#'")]
    [InlineData("SELECT 1\n  ,\n  2 3 4;", "ParseException line 3:5", "'3'")]
    public async Task ParseError_NamesLineColumnAndToken(string script, string position, string token)
    {
        var failed = await _run.FailAsync(script);
        Assert.Contains(position, failed, StringComparison.Ordinal);
        Assert.Contains(token, failed, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SELECT TRANSFORM(a) USING 'cat' FROM t;", "SELECT TRANSFORM")]
    [InlineData("ADD JAR /x.jar;", "ADD JAR")]
    [InlineData("CREATE TEMPORARY FUNCTION f AS 'x';", "CREATE TEMPORARY FUNCTION")]
    [InlineData("SELECT soundex('a');", "function soundex")]
    [InlineData("SELECT json_tuple('{}', 'a');", "function json_tuple")]
    [InlineData("CREATE TABLE b (a INT) CLUSTERED BY (a) INTO 4 BUCKETS;", "CLUSTERED BY")]
    [InlineData("CREATE TABLE b (a INT) STORED AS ORC;", "STORED AS ORC")]
    [InlineData("CREATE TABLE b (a INT) STORED BY 'org.apache.hadoop.hive.hbase.HBaseStorageHandler';", "STORED BY")]
    [InlineData("CREATE TABLE b (a INT) ROW FORMAT SERDE 'x';", "ROW FORMAT SERDE")]
    [InlineData("CREATE TABLE b (a INT) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' ESCAPED BY '\\\\';", "ESCAPED BY")]
    [InlineData("SELECT a FROM t TABLESAMPLE(BUCKET 1 OUT OF 2);", "TABLESAMPLE")]
    [InlineData("USE other;", "database 'other'")]
    [InlineData("SELECT x FROM t LATERAL VIEW json_tuple(j, 'a') v AS a;", "LATERAL VIEW json_tuple")]
    [InlineData("EXPLAIN SELECT 1;", "EXPLAIN")]
    [InlineData("SELECT 1 FROM t GROUP BY a GROUPING SETS (a);", "GROUPING SETS")]
    [InlineData("CREATE TABLE u (a UNIONTYPE<INT,STRING>);", "UNIONTYPE")]
    public async Task Unsupported_FailsNamingTheConstruct(string script, string construct)
    {
        var failed = await _run.FailAsync(script);
        Assert.StartsWith("FAILED: UnsupportedException", failed, StringComparison.Ordinal);
        Assert.Contains(construct, failed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailingStatement_StopsTheScript_EarlierOnesTookEffect()
    {
        var (code, output, error) = await _run.RunAsync("SELECT 'before'; SELECT nope FROM missing; SELECT 'after';");
        Assert.Equal(1, code);
        Assert.Equal("before\n", output);
        Assert.Contains("Table not found 'missing'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecutionError_FromTheEngine_IsReportedWithTheStatementsPosition()
    {
        var (code, _, error) = await _run.RunAsync("SELECT 1;\nSELECT no_such_column FROM (SELECT 1 AS a) s;");
        Assert.Equal(2, code);
        Assert.Contains("FAILED: Execution Error, line 2:1", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadData_MissingPathOrLocalUri_AreSemanticErrors()
    {
        Assert.Contains("No files matching path", await _run.FailAsync("CREATE TABLE t (a INT); LOAD DATA LOCAL INPATH '${D}/none' INTO TABLE t;"), StringComparison.Ordinal);
        Assert.Contains("LOCAL INPATH must be a local path", await _run.FailAsync("LOAD DATA LOCAL INPATH 'bos://b/x' INTO TABLE t;"), StringComparison.Ordinal);
        Assert.Contains("LINES TERMINATED BY only supports newline", await _run.FailAsync("CREATE TABLE z (a INT) ROW FORMAT DELIMITED LINES TERMINATED BY ',';"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommandLine_UsageErrors_Exit64()
    {
        var stderr = new StringWriter();
        Assert.Equal(64, await HiveTool.RunAsync(["--bogus"], TextWriter.Null, stderr, _run.Metastore, null, CancellationToken.None));
        Assert.Equal(64, await HiveTool.RunAsync(["-f"], TextWriter.Null, stderr, _run.Metastore, null, CancellationToken.None));
        Assert.Equal(64, await HiveTool.RunAsync(["-e", "SELECT 1", "-d", "novalue"], TextWriter.Null, stderr, _run.Metastore, null, CancellationToken.None));
        Assert.Equal(64, await HiveTool.RunAsync([], TextWriter.Null, stderr, _run.Metastore, null, CancellationToken.None));
        Assert.Contains("unknown option '--bogus'", stderr.ToString(), StringComparison.Ordinal);
        var stdout = new StringWriter();
        Assert.Equal(0, await HiveTool.RunAsync(["-e", "SELECT 40 + 2", "--metastore", _run.Metastore], stdout, TextWriter.Null, _run.Metastore, null, CancellationToken.None));
        Assert.Equal("42\n", stdout.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
    }
}
