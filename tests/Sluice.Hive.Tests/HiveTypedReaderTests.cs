namespace Sluice.Hive.Tests;

/// <summary>
/// Issue #18 (speed): number columns of text tables are read typed by DuckDB's reader, and a field it cannot parse makes the
/// session read them as text and convert them (TRY_CAST) instead. Each field below must come out the same both ways: alone in
/// its table (the typed reader, or the fallback if it fails) and in a table whose first line surely fails (the text path).
/// </summary>
public sealed class HiveTypedReaderTests : IDisposable
{
    private static readonly string[] Fields =
    [
        "1", "-0", "+7", " 5", "5 ", "  ", "", "12.5", "-12.5", "1.", ".5", "1e2", "1E-2", "1e", "0x10", "1_000", "1,5", "abc",
        "127", "128", "-129", "32768", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808", "99999999999999999999",
        "NaN", "nan", "inf", "Infinity", "-Infinity", "1.7976931348623157E309", "4.9E-324", "3.4028235E39", "\u0663",
    ];

    private readonly HiveRun _run = new();

    public void Dispose() => _run.Dispose();

    [Theory]
    [InlineData("tinyint")]
    [InlineData("smallint")]
    [InlineData("int")]
    [InlineData("bigint")]
    [InlineData("float")]
    [InlineData("double")]
    public async Task NumberField_TypedReaderOrFallback_SameAsTextConversion(string type)
    {
        // The text path: every field in one table whose first line surely fails the typed reader.
        _run.Write("text/part-00000", HiveRun.Ctrl("-1", "not a number") + "\n" + string.Concat(Fields.Select((f, i) => HiveRun.Ctrl($"{i}", f) + "\n")));
        var text = (await _run.QueryAsync(Script("text", "id >= 0 ORDER BY id"))).Split('\n');
        for (var i = 0; i < Fields.Length; i++)
        {
            _run.Write($"alone{i}/part-00000", HiveRun.Ctrl($"{i}", Fields[i]) + "\n");
            var typed = await _run.QueryAsync(Script($"alone{i}", "true"));
            Assert.True(text[i] + "\n" == typed, $"{type} field '{Fields[i]}': typed reader gave '{typed.TrimEnd()}', text conversion '{text[i]}'");
        }

        string Script(string folder, string where) =>
            $"DROP TABLE IF EXISTS t;\nCREATE EXTERNAL TABLE t (id INT, v {type}) LOCATION '${{D}}/{folder}';\nSELECT v, v IS NULL FROM t WHERE {where};\n";
    }

    [Fact]
    public async Task UnparsedNumber_LaterStatementsAndTables_StillRead()
    {
        _run.Write("good/part-00000", HiveRun.Ctrl("1", "10") + "\n" + HiveRun.Ctrl("2", "20") + "\n");
        _run.Write("bad/part-00000", HiveRun.Ctrl("1", "x") + "\n" + HiveRun.Ctrl("2", "5") + "\n");
        var output = await _run.QueryAsync("""
            CREATE EXTERNAL TABLE good (id INT, v BIGINT) LOCATION '${D}/good';
            CREATE EXTERNAL TABLE bad (id INT, v BIGINT) LOCATION '${D}/bad';
            SELECT sum(v) FROM good;
            SELECT id, v FROM bad ORDER BY id;
            SELECT g.id, g.v + b.v FROM good g JOIN bad b ON g.id = b.id ORDER BY g.id;
            """);
        Assert.Equal("30\n1\tNULL\n2\t5\n1\tNULL\n2\t25\n", output);
    }
}
