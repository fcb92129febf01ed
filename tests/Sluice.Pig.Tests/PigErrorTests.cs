namespace Sluice.Pig.Tests;

/// <summary>Bad scripts fail naming what is wrong, where; unsupported constructs fail naming the construct.</summary>
public sealed class PigErrorTests : IDisposable
{
    private readonly PigHarness _pig = new();

    public PigErrorTests() => _pig.File("in.txt", "a\t1\n");

    public void Dispose() => _pig.Dispose();

    [Fact]
    public async Task ParseError_NamesLineColumnAndToken()
    {
        var e = await _pig.FailsAsync("A = LOAD 'x' AS (a:int);\nB = FILTER A BY a > ;\n");

        Assert.Equal(2, e.Line);
        Assert.Equal(21, e.Column);
        Assert.Equal(";", e.Token);
        Assert.Equal(1200, e.Code);
        Assert.Contains("line 2, column 21", e.Message, StringComparison.Ordinal);
        Assert.Contains("';'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ParseError_MissingSemicolon_NamesTheNextToken()
    {
        var e = await _pig.FailsAsync("A = LOAD 'x'\nDUMP A;");

        Assert.Equal((2, 1, "DUMP"), (e.Line, e.Column, e.Token));
    }

    [Fact]
    public async Task ParseError_UnterminatedString()
    {
        var e = await _pig.FailsAsync("A = LOAD 'x;\n");

        Assert.Equal((1, 10), (e.Line, e.Column));
        Assert.Contains("unterminated string", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("REGISTER 'udfs.jar';", "REGISTER")]
    [InlineData("DEFINE f com.example.F();", "DEFINE")]
    [InlineData("A = LOAD '$DIR/in.txt'; B = STREAM A THROUGH `cat`;", "STREAM")]
    [InlineData("A = LOAD '$DIR/in.txt'; B = SAMPLE A 0.1;", "SAMPLE")]
    [InlineData("A = LOAD '$DIR/in.txt'; B = RANK A;", "RANK")]
    [InlineData("A = LOAD '$DIR/in.txt' USING JsonLoader();", "the load function JsonLoader")]
    [InlineData("A = LOAD '$DIR/in.txt'; STORE A INTO '$DIR/o' USING JsonStorage();", "the store function JsonStorage")]
    [InlineData("SET pig.exec.nocombiner true;", "SET pig.exec.nocombiner")]
    [InlineData("A = LOAD '$DIR/in.txt' AS (s:chararray); B = FILTER A BY s MATCHES 'a(?=b)';", "look-ahead")]
    [InlineData("A = LOAD '$DIR/in.txt' AS (s:chararray); B = FILTER A BY s MATCHES '(a)\\\\1';", "back-reference")]
    [InlineData("A = LOAD '$DIR/in.txt' AS (s:chararray); B = FOREACH A GENERATE STRSPLIT(s, ',');", "STRSPLIT without a limit")]
    [InlineData("A = LOAD '$DIR/in.txt' AS (s:chararray, n:int); B = FOREACH A GENERATE s; C = UNION A, B;", "UNION of relations with different numbers of fields")]
    [InlineData("A = LOAD '$DIR/in.txt' AS (t:tuple(a:int));", "loading the (a: int) field")]
    [InlineData("A = LOAD '$DIR/in.txt' AS (d:datetime);", "the datetime type")]
    [InlineData("A = LOAD '$DIR/in.txt' AS (m:map[]); B = FOREACH A GENERATE FLATTEN(m);", "map")]
    public async Task Unsupported_FailsNamingTheConstruct(string script, string construct)
    {
        var e = await _pig.FailsAsync(script);

        Assert.Contains(construct, e.Message, StringComparison.Ordinal);
        if (!construct.Contains("map", StringComparison.Ordinal))
        {
            Assert.Contains("not supported", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task UndefinedAlias_FieldAndFunction_AreNamed()
    {
        Assert.Contains("Undefined alias: Z", (await _pig.FailsAsync("B = FILTER Z BY $0 == 'a';")).Message, StringComparison.Ordinal);
        Assert.Contains("Projected field [nope] does not exist", (await _pig.FailsAsync("A = LOAD '$DIR/in.txt' AS (s:chararray); B = FOREACH A GENERATE nope;")).Message, StringComparison.Ordinal);
        // Function names are case-sensitive in Pig.
        Assert.Contains("Could not resolve count", (await _pig.FailsAsync("A = LOAD '$DIR/in.txt' AS (s:chararray); B = GROUP A ALL; C = FOREACH B GENERATE count(A);")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UndefinedParameter_IsNamed()
    {
        var e = await _pig.FailsAsync("A = LOAD '$MISSING';");

        Assert.Contains("Undefined parameter : MISSING", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, e.Line);
    }

    [Fact]
    public async Task TypeMismatch_ChararrayComparedWithInt_Fails()
    {
        var e = await _pig.FailsAsync("A = LOAD '$DIR/in.txt' AS (s:chararray); B = FILTER A BY s == 1;");

        Assert.Contains("cannot compare a chararray with a int", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExistingOutput_IsRefusedBeforeAnythingRuns_AndKept()
    {
        _pig.File("out/part-m-00000", "old\n");

        var e = await _pig.FailsAsync("A = LOAD '$DIR/in.txt'; STORE A INTO '$DIR/fresh'; STORE A INTO '$DIR/out';");

        Assert.Equal(6000, e.Code);
        Assert.Contains("Output Location Validation Failed", e.Message, StringComparison.Ordinal);
        Assert.Equal("old\n", File.ReadAllText(_pig.PathOf("out/part-m-00000")));
        Assert.False(Directory.Exists(_pig.PathOf("fresh")));
    }

    [Fact]
    public async Task MissingInput_IsNamed()
    {
        var e = await _pig.FailsAsync("A = LOAD '$DIR/nothing.txt'; DUMP A;");

        Assert.Contains("Input path does not exist", e.Message, StringComparison.Ordinal);
        Assert.Contains("nothing.txt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObjectUriWithoutAStore_FailsNamingTheScheme()
    {
        var e = await _pig.FailsAsync("A = LOAD 'bos://bucket/in'; DUMP A;");

        Assert.Contains("no object store is configured for bos://", e.Message, StringComparison.Ordinal);
    }
}
