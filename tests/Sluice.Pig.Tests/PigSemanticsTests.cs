namespace Sluice.Pig.Tests;

/// <summary>
/// Each place where Pig's semantics differ from DuckDB's SQL, with the Pig result written by hand (Java's rules).
/// A plain SQL translation would give the other answer in every case here.
/// </summary>
public sealed class PigSemanticsTests : IDisposable
{
    private readonly PigHarness _pig = new();

    public PigSemanticsTests() => _pig.File("one.txt", "x\n");

    public void Dispose() => _pig.Dispose();

    /// <summary>Evaluates GENERATE items over one row.</summary>
    private async Task<string> EvalAsync(string items) => Assert.Single(await _pig.RunAsync($"A = LOAD '$DIR/one.txt' AS (x:chararray); B = FOREACH A GENERATE {items}; DUMP B;"));

    [Fact]
    public async Task Substring_IsZeroBasedEndExclusive_NotSqlSubstr()
    {
        // SQL's SUBSTR('hello', 1, 3) would be 'hel'.
        Assert.Equal("(el,ello,,h,)", await EvalAsync("SUBSTRING('hello', 1, 3), SUBSTRING('hello', 1, 99), SUBSTRING('hello', 3, 2), SUBSTRING('hello', 0, 1), SUBSTRING('hello', 6, 8)"));
    }

    [Fact]
    public async Task Matches_IsAWholeStringMatch_NotASearch()
    {
        Assert.Equal("(false,true,true,false)", await EvalAsync("('abc' MATCHES 'b'), ('abc' MATCHES '.*b.*'), ('abc' MATCHES 'a.c'), ('abc\\n' MATCHES 'abc')"));
    }

    [Fact]
    public async Task Count_SkipsTuplesWhoseFirstFieldIsNull_CountStarDoesNot()
    {
        _pig.File("n.tsv", "\t1\na\t2\n\t3\nb\t\n");

        var lines = await _pig.RunAsync("A = LOAD '$DIR/n.tsv' AS (k:chararray, v:int); G = GROUP A ALL; C = FOREACH G GENERATE COUNT(A), COUNT_STAR(A), COUNT(A.v), SUM(A.v);"
            + " D = FOREACH G { B = A; GENERATE COUNT(B), COUNT_STAR(B); }; DUMP C; DUMP D;");

        // The unfused path (a nested alias keeps the bag) must agree with the fused aggregation.
        Assert.Equal(["(2,4,3,6)", "(2,4)"], lines);
    }

    [Fact]
    public async Task IntegerDivision_Truncates_AndDivisionByZeroIsNull()
    {
        // SQL would give 3.5 for 7/2 and fail (or infinity) on a zero divisor.
        Assert.Equal("(3,-3,1,-1,,3.5,,)", await EvalAsync("7 / 2, -7 / 2, 7 % 3, -7 % 3, 7 / 0, 7.0 / 2, 7.0 / 0, 7 % 0"));
    }

    [Fact]
    public async Task Casts_TruncateTowardZero_AndBadNumbersAreNull()
    {
        // DuckDB's CAST rounds (3.7 → 4) and fails on 'abc'.
        Assert.Equal("(3,3,-3,,12,2.5,true,7)", await EvalAsync("(int)'3.7', (int)3.9, (int)-3.9, (int)'abc', (long)'12', (double)'2.5', (boolean)'true', (chararray)7"));
    }

    [Fact]
    public async Task LoadedNumbers_CastAsPigsLoaderCasts()
    {
        _pig.File("nums.txt", "3.7\nabc\n-2\n\n1e3\n");

        var lines = await _pig.RunAsync("A = LOAD '$DIR/nums.txt' AS (n:int); DUMP A;");

        Assert.Equal(["(3)", "()", "(-2)", "()", "(1000)"], lines);
    }

    [Fact]
    public async Task LoadedLongs_LongerThanADoubleHolds_AreExact()
    {
        _pig.File("longs.txt", "9007199254740993\n-9223372036854775808\n12.9\n9223372036854775808\n");

        var lines = await _pig.RunAsync("A = LOAD '$DIR/longs.txt' AS (n:long); DUMP A;");

        // 2^53 + 1 is no double; Long.MIN_VALUE parses; a decimal truncates; one past Long.MAX_VALUE is null.
        Assert.Equal(["(9007199254740993)", "(-9223372036854775808)", "(12)", "()"], lines);
    }

    [Fact]
    public async Task FloatingPoint_PrintsAsJavaDoubleToString()
    {
        Assert.Equal("(1.0E7,1.0E-4,0.001,100.0,1.5,-0.5,1.23456789E8)", await EvalAsync("1e7, 0.0001, 0.001, 100.0, 1.5, -0.5, 123456789.0"));
    }

    [Fact]
    public async Task NullsInComparisons_AreNull_SoFilterDropsThem_AndBincondGivesNull()
    {
        _pig.File("n.tsv", "1\t1\n\t1\n\t\n");

        var lines = await _pig.RunAsync("A = LOAD '$DIR/n.tsv' AS (a:int, b:int); B = FILTER A BY a == b; C = FOREACH A GENERATE (a == b ? 'same' : 'different'); DUMP B; DUMP C;");

        // null == null is null, not true; a bincond on null is null (SQL's CASE would take the ELSE branch).
        Assert.Equal(["(1,1)", "(same)", "()", "()"], lines);
    }

    [Fact]
    public async Task Order_NullsAreSmallest_FirstAscendingLastDescending()
    {
        _pig.File("o.txt", "2\n\n1\n");

        var lines = await _pig.RunAsync("A = LOAD '$DIR/o.txt' AS (n:int); B = ORDER A BY n; C = ORDER A BY n DESC; DUMP B; DUMP C;");

        // DuckDB's default puts nulls last in both directions.
        Assert.Equal(["()", "(1)", "(2)", "(2)", "(1)", "()"], lines);
    }

    [Fact]
    public async Task NestedOrder_NullsFirstToo()
    {
        _pig.File("o.tsv", "k\t2\nk\t\nk\t1\n");

        var lines = await _pig.RunAsync("A = LOAD '$DIR/o.tsv' AS (k:chararray, n:int); G = GROUP A BY k; C = FOREACH G { s = ORDER A BY n; GENERATE s.n; }; DUMP C;");

        Assert.Equal(["({(),(1),(2)})"], lines);
    }

    [Fact]
    public async Task Group_NullKeysFormOneGroup_CogroupKeepsEachInputsNullsApart_JoinNeverMatchesThem()
    {
        _pig.File("a.tsv", "\t1\n\t2\nx\t3\n");
        _pig.File("b.tsv", "\t9\nx\t8\n");
        var script = "A = LOAD '$DIR/a.tsv' AS (k:chararray, v:int); B = LOAD '$DIR/b.tsv' AS (k:chararray, w:int);"
            + " G = GROUP A BY k; GC = FOREACH G GENERATE group, COUNT_STAR(A); DUMP GC;"
            + " C = COGROUP A BY k, B BY k; CC = FOREACH C GENERATE group, COUNT_STAR(A), COUNT_STAR(B); DUMP CC;"
            + " J = JOIN A BY k, B BY k; DUMP J;";

        var lines = await _pig.RunAsync(script);

        Assert.Equal(["(,2)", "(x,1)"], lines.Take(2).Order(StringComparer.Ordinal));
        Assert.Equal(["(,0,1)", "(,2,0)", "(x,1,1)"], lines.Skip(2).Take(3).Order(StringComparer.Ordinal));
        Assert.Equal(["(x,3,x,8)"], lines.Skip(5));
    }

    [Fact]
    public async Task PigStorage_DefaultDelimiterIsTab_NotComma()
    {
        _pig.File("c.txt", "a,b\tc\n");

        var lines = await _pig.RunAsync("A = LOAD '$DIR/c.txt' AS (x:chararray, y:chararray); DUMP A;");

        Assert.Equal(["(a,b,c)"], lines);
    }

    [Fact]
    public async Task Bytearray_ComparedWithANumber_IsCastToThatNumber()
    {
        _pig.File("b.txt", "10\n9\n");

        // As text '9' > '10'; as numbers it is not.
        var lines = await _pig.RunAsync("A = LOAD '$DIR/b.txt' AS (v); B = FILTER A BY v > 9; DUMP B;");

        Assert.Equal(["(10)"], lines);
    }

    [Fact]
    public async Task Trim_RemovesJavaWhitespace_ControlCharactersToo()
    {
        _pig.File("w.txt", "\u0001 x \u0002\n");

        var lines = await _pig.RunAsync("A = LOAD '$DIR/w.txt' USING TextLoader() AS (s:chararray); B = FOREACH A GENERATE CONCAT('[', CONCAT(TRIM(s), ']')); DUMP B;");

        Assert.Equal(["([x])"], lines);
    }

    [Fact]
    public async Task Concat_WithANull_IsNull()
    {
        _pig.File("n.tsv", "a\t\n");

        var lines = await _pig.RunAsync("A = LOAD '$DIR/n.tsv' AS (x:chararray, y:chararray); B = FOREACH A GENERATE CONCAT(x, y), CONCAT(x, x); DUMP B;");

        Assert.Equal(["(,aa)"], lines);
    }

    [Fact]
    public async Task Tokenize_SplitsOnPigsDefaultDelimiters()
    {
        Assert.Equal("({(a),(b),(c),(d),(e)})", await EvalAsync("TOKENIZE('a b,c(d)*e')"));
    }
}
