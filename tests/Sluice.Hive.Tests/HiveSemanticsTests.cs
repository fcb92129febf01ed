namespace Sluice.Hive.Tests;

/// <summary>Issue #18 item 1: each place where Hive's semantics differ from DuckDB's, with the Hive result worked out by hand.</summary>
public sealed class HiveSemanticsTests : IDisposable
{
    private readonly HiveRun _run = new();

    public void Dispose() => _run.Dispose();

    [Fact]
    public async Task Divide_Integers_IsDoubleDivision_DivTruncatesTowardZero_ByZeroIsNull()
    {
        var output = await _run.QueryAsync("SELECT 7 / 2, 6 / 3, 7 DIV 2, -7 DIV 2, 7.9 DIV 2, 1 / 0, 5 DIV 0, 7 % 3, -7 % 3;");
        // Hive: 3.5, 2.0 (a double), 3, -3 (Java's long division), 3 (7.9 truncated to 7 first), NULL, NULL, 1, -1.
        Assert.Equal("3.5\t2.0\t3\t-3\t3\tNULL\tNULL\t1\t-1\n", output);
    }

    [Fact]
    public async Task DecimalLiterals_AreDoubles()
    {
        // A literal with a point is a DOUBLE in Hive: 0.1 + 0.2 is the double sum, not an exact decimal 0.3.
        Assert.Equal("0.30000000000000004\t0.3\n", await _run.QueryAsync("SELECT 0.1 + 0.2, 0.1BD + 0.2BD;"));
    }

    [Fact]
    public async Task StringComparison_IsByteOrder()
    {
        _run.Write("w/words.txt", "b\nB\na\nZ\né\n_\n");
        var output = await _run.QueryAsync("CREATE EXTERNAL TABLE w (s STRING) LOCATION '${D}/w'; SELECT s FROM w ORDER BY s; SELECT 'Z' < 'a', 'é' > 'z';");
        // UTF-8 byte order: uppercase before '_' before lowercase before multi-byte characters.
        Assert.Equal("B\nZ\n_\na\nb\né\ntrue\ttrue\n", output);
    }

    [Fact]
    public async Task OrderBy_NullsFirstAscending_LastDescending()
    {
        _run.Write("n/n.txt", "3\n\\N\n1\n2\n");
        var output = await _run.QueryAsync("CREATE EXTERNAL TABLE n (x INT) LOCATION '${D}/n'; SELECT x FROM n ORDER BY x; SELECT x FROM n ORDER BY x DESC;");
        Assert.Equal("NULL\n1\n2\n3\n3\n2\n1\nNULL\n", output);
    }

    [Fact]
    public async Task Aggregates_SkipNulls_CountStarCountsThem_AllNullSumIsNull()
    {
        _run.Write("a/a.txt", "g1\x01" + "1\ng1\x01\\N\ng2\x01\\N\ng1\x01" + "4\n");
        var output = await _run.QueryAsync("CREATE EXTERNAL TABLE a (g STRING, v INT) LOCATION '${D}/a'; " +
            "SELECT g, count(*), count(v), sum(v), avg(v), min(v), max(v), collect_set(v) FROM a GROUP BY g ORDER BY g;");
        Assert.Equal("g1\t3\t2\t5\t2.5\t1\t4\t[1,4]\ng2\t1\t0\tNULL\tNULL\tNULL\tNULL\t[]\n", output);
    }

    [Fact]
    public async Task TextFiles_BackslashNIsNull_CtrlADelimits_MissingFieldsNull_ExtraIgnored_BadNumbersNull()
    {
        _run.Write("t/t.txt", "1\x01" + "a\x01" + "2.5\n\\N\x01\\N\x01\\N\nx\x01\x01" + "7\x01" + "extra\n9\n");
        var output = await _run.QueryAsync("CREATE EXTERNAL TABLE t (i INT, s STRING, d DOUBLE) LOCATION '${D}/t'; SELECT i, s, d, s IS NULL, length(s) FROM t;");
        // 'x' is no INT (NULL); an empty field is an empty string for STRING; a short line pads with NULL.
        Assert.Equal("1\ta\t2.5\tfalse\t1\nNULL\tNULL\tNULL\ttrue\tNULL\nNULL\t\t7.0\tfalse\t0\n9\tNULL\tNULL\ttrue\tNULL\n", output);
    }

    [Fact]
    public async Task TextFiles_ManyExtraFields_AreIgnored_EvenBeyondTheFastReadersSpareColumns()
    {
        _run.Write("x/x.txt", "1\x01" + "a\n2\x01" + "b" + string.Concat(Enumerable.Repeat("\x01z", 30)) + "\n3\n");
        var output = await _run.QueryAsync("CREATE EXTERNAL TABLE x (i INT, s STRING) LOCATION '${D}/x'; SELECT i, s FROM x ORDER BY i; INSERT OVERWRITE LOCAL DIRECTORY '${D}/xo' SELECT count(*) FROM x;");
        Assert.Equal("1\ta\n2\tb\n3\tNULL\n", output);
        Assert.Equal("3\n", _run.Read("xo/000000_0"));
    }

    [Fact]
    public async Task TextFiles_CollectionsUseCtrlBAndCtrlC_ReadAndWritten()
    {
        _run.Write("c/c.txt", "1\x01" + "a\x02" + "b\x02" + "c\x01k1\x03" + "1\x02k2\x03" + "2\x01x\x02" + "5\n");
        var output = await _run.QueryAsync("CREATE EXTERNAL TABLE c (id INT, arr ARRAY<STRING>, m MAP<STRING,INT>, st STRUCT<name:STRING,n:INT>) LOCATION '${D}/c'; " +
            "SELECT arr, arr[0], arr[5], m, m['k2'], st, st.n, size(arr), size(m) FROM c; " +
            "INSERT OVERWRITE LOCAL DIRECTORY '${D}/out' SELECT id, arr, m, st FROM c;");
        Assert.Equal("[\"a\",\"b\",\"c\"]\ta\tNULL\t{\"k1\":1,\"k2\":2}\t2\t{\"name\":\"x\",\"n\":5}\t5\t3\t2\n", output);
        Assert.Equal("1\x01" + "a\x02" + "b\x02" + "c\x01k1\x03" + "1\x02k2\x03" + "2\x01x\x02" + "5\n", _run.Read("out/000000_0"));
    }

    [Fact]
    public async Task Substr_OneBased_ZeroIsOne_NegativeFromEnd_OutOfRangeEmpty()
    {
        var output = await _run.QueryAsync("SELECT substr('hello', 1, 2), substr('hello', 0, 2), substr('hello', -3), substr('hello', -3, 2), substr('hello', 9), substr('hello', -9), substring('hello', 2), substr('hello', 2, 0);");
        Assert.Equal("he\the\tllo\tll\t\t\tello\t\n", output);
    }

    [Fact]
    public async Task Cast_FailureIsNull_FractionTruncates()
    {
        var output = await _run.QueryAsync("SELECT CAST('abc' AS INT), CAST('12' AS INT), CAST(3.7 AS INT), CAST(-3.7 AS BIGINT), CAST('2.5' AS DOUBLE), CAST('x' AS DOUBLE), CAST(5 AS STRING), CAST('2014-01-02' AS DATE);");
        Assert.Equal("NULL\t12\t3\t-3\t2.5\tNULL\t5\t2014-01-02\n", output);
    }

    [Fact]
    public async Task CastToBoolean_NonEmptyStringIsTrue_NumberIsNonZero()
    {
        Assert.Equal("true\ttrue\tfalse\tNULL\ttrue\tfalse\n", await _run.QueryAsync("SELECT CAST('false' AS BOOLEAN), CAST('0' AS BOOLEAN), CAST('' AS BOOLEAN), CAST(NULL AS BOOLEAN), CAST(2 AS BOOLEAN), CAST(0 AS BOOLEAN);"));
    }

    [Fact]
    public async Task OutputText_BooleansDoublesNulls_AsHiveWritesThem()
    {
        var output = await _run.QueryAsync("SELECT true, false, 1e10, 1.0, 123456789.0, 0.0001, 1234567.0, -2.5E-5, NULL, CAST(1.5 AS FLOAT);" +
            "INSERT OVERWRITE LOCAL DIRECTORY '${D}/o' SELECT true, 1e10, NULL, 'x';");
        // Java's Double.toString: plain in [10^-3, 10^7), scientific outside.
        Assert.Equal("true\tfalse\t1.0E10\t1.0\t1.23456789E8\t1.0E-4\t1234567.0\t-2.5E-5\tNULL\t1.5\n", output);
        Assert.Equal("true\x01" + "1.0E10\x01\\N\x01x\n", _run.Read("o/000000_0"));
    }

    [Fact]
    public async Task Concat_IsNullWhenAnyArgumentIs_ConcatWsSkipsNulls()
    {
        Assert.Equal("NULL\tab\ta-b\n", await _run.QueryAsync("SELECT concat('a', NULL), concat('a', 'b'), concat_ws('-', 'a', NULL, 'b');"));
    }

    [Fact]
    public async Task Math_OutOfDomainIsNull_FloorIsBigint_VarianceIsPopulation()
    {
        _run.Write("v/v.txt", "1\n2\n3\n4\n");
        var output = await _run.QueryAsync("CREATE EXTERNAL TABLE v (x INT) LOCATION '${D}/v'; SELECT sqrt(-1), ln(0), log10(100), log(2, 8), floor(2.7), ceil(2.1), round(2.5), round(-2.5), pmod(-7, 3) FROM v LIMIT 1; SELECT variance(x), var_samp(x), stddev(x) FROM v;");
        // Population variance of 1..4 is 1.25, sample 5/3; stddev is the population one: sqrt(1.25).
        Assert.Equal($"NULL\tNULL\t2.0\t3.0\t2\t3\t3.0\t-3.0\t2\n1.25\t{HiveText.JavaDouble(5.0 / 3)}\t{HiveText.JavaDouble(Math.Sqrt(1.25))}\n", output);
    }

    [Fact]
    public async Task RegexpExtract_DefaultGroupIsOne_ReplaceAll_JavaBackReferences_RlikeFinds()
    {
        var output = await _run.QueryAsync("SELECT regexp_extract('foo123bar', '([a-z]+)([0-9]+)'), regexp_extract('foo123bar', '([a-z]+)([0-9]+)', 2), regexp_replace('a1b22c', '[0-9]+', '#'), regexp_replace('ab', '(a)(b)', '$2$1'), 'abc' RLIKE 'b', 'abc' REGEXP '^b', 'a.c' LIKE 'a_c';");
        Assert.Equal("foo\t123\ta#b#c\tba\ttrue\tfalse\ttrue\n", output);
    }
}
