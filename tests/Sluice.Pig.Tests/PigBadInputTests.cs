namespace Sluice.Pig.Tests;

/// <summary>Every checked bad input fails with a message naming the problem (no result computed).</summary>
public sealed class PigBadInputTests : IDisposable
{
    private const string Load = "A = LOAD '$DIR/in.tsv' AS (s:chararray, n:int, d:double);";
    private readonly PigHarness _pig = new();

    public PigBadInputTests() => _pig.File("in.tsv", "a\t1\t1.5\n");

    public void Dispose() => _pig.Dispose();

    [Theory]
    [InlineData(" B = FOREACH A GENERATE $7;", "Out of bound access. Trying to access non-existent column: 7")]
    [InlineData(" B = FOREACH A GENERATE TOMAP('k');", "TOMAP takes key, value pairs")]
    [InlineData(" B = FOREACH A GENERATE CONCAT(s);", "CONCAT takes two or more arguments")]
    [InlineData(" B = FOREACH A GENERATE CONCAT(s, n);", "CONCAT needs chararray arguments, not int")]
    [InlineData(" B = FOREACH A GENERATE SIZE(s, s);", "SIZE takes 1 argument(s), not 2")]
    [InlineData(" B = FOREACH A GENERATE d % 2;", "'%' needs int or long operands")]
    [InlineData(" B = FOREACH A GENERATE s + 1;", "arithmetic needs numbers")]
    [InlineData(" B = FILTER A BY s MATCHES s;", "MATCHES with a pattern that is not a string constant")]
    [InlineData(" B = FILTER A BY n MATCHES 'x';", "MATCHES needs a chararray on its left")]
    [InlineData(" B = FILTER A BY n;", "FILTER needs a boolean condition")]
    [InlineData(" B = FOREACH A GENERATE s.x;", "cannot dereference a chararray")]
    [InlineData(" B = FOREACH A GENERATE s#'k';", "'#' looks up a map")]
    [InlineData(" B = FOREACH A GENERATE (n == 1 ? s : n);", "the two values have different types")]
    [InlineData(" B = FOREACH A GENERATE (map[])s;", "casting text to a map")]
    [InlineData(" B = FOREACH A { C = FILTER s BY n > 0; GENERATE C; };", "nested FILTER works on a bag")]
    [InlineData(" B = FOREACH A GENERATE SUM(s);", "SUM takes a bag")]
    [InlineData(" G = GROUP A ALL; B = FOREACH G GENERATE SUM(A);", "SUM takes a bag of one-field tuples")]
    [InlineData(" G = GROUP A ALL; B = FOREACH G GENERATE SUM(A.s);", "SUM cannot aggregate chararray values")]
    [InlineData(" B = FOREACH A GENERATE FLATTEN(s, n);", "FLATTEN takes one argument")]
    [InlineData(" B = FOREACH A GENERATE s AS (x, y);", "AS names 2 field(s) for an expression giving 1")]
    [InlineData(" B = JOIN A BY (s, n), A BY s;", "every input of a JOIN needs the same number of keys")]
    [InlineData(" B = COGROUP A BY (s, n), A BY s;", "every input of a COGROUP needs the same number of keys")]
    [InlineData(" B = COGROUP A ALL, A ALL;", "COGROUP ... ALL")]
    [InlineData(" B = JOIN A BY s;", "JOIN needs at least two inputs")]
    [InlineData(" B = JOIN A BY s LEFT, A BY s, A BY s;", "an outer JOIN joins exactly two relations")]
    [InlineData(" B = JOIN A BY s, A BY s USING 'fast';", "JOIN ... USING takes")]
    [InlineData(" B = LIMIT A n;", "expected a whole number")]
    [InlineData(" STORE A INTO '$DIR/o' USING PigStorage('ab');", "PigStorage takes a one-character delimiter")]
    [InlineData(" STORE A INTO '$DIR/o' USING PigStorage(',', '-schema');", "PigStorage options")]
    [InlineData(" STORE A INTO '$DIR/o'; STORE A INTO '$DIR/o';", "two STOREs into")]
    [InlineData(" B = UNION ONSCHEMA A, (FOREACH A GENERATE n + 1);", "UNION ONSCHEMA needs every field named")]
    [InlineData(" B = FOREACH A GENERATE SUBSTRING(s, 0);", "SUBSTRING takes 3 argument(s)")]
    [InlineData(" B = FOREACH A GENERATE REPLACE(s, s, 'x');", "REPLACE with a non-constant argument 2")]
    [InlineData(" B = FOREACH A GENERATE STRSPLIT(s, ',', n);", "STRSPLIT with a non-constant limit")]
    [InlineData(" B = FOREACH A GENERATE IsEmpty(s);", "IsEmpty takes a bag or a map")]
    [InlineData(" B = FOREACH A GENERATE -s;", "cannot negate a chararray")]
    [InlineData(" B = FOREACH A GENERATE (bag{})n;", "cannot cast a int to {()}")]
    [InlineData(" B = FOREACH A GENERATE NOT n;", "expected a boolean condition")]
    [InlineData(" B = FOREACH A GENERATE *;\n C = FOREACH B GENERATE x::s;", "Projected field [x::s] does not exist")]
    public async Task BadScript_FailsNamingTheProblem(string statements, string message)
    {
        var e = await _pig.FailsAsync(Load + statements + " DUMP A;");

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("A = LOAD '$DIR/in.tsv' USING TextLoader('x');", "TextLoader takes no arguments")]
    [InlineData("A = LOAD '$DIR/in.tsv' USING TextLoader() AS (a:int);", "TextLoader yields one chararray field per line")]
    [InlineData("A = LOAD '$DIR/in.tsv' AS (m:map[int]);", "map[int]")]
    [InlineData("%default X ;\nA = LOAD 'x';", "the parameter needs a value")]
    [InlineData("%default X\nA = LOAD 'x';", "a preprocessor statement must be %default NAME value")]
    [InlineData("%include 'other.pig'\nA = LOAD 'x';", "a preprocessor statement must be")]
    [InlineData("%declare D `date`\nA = LOAD 'x';", "with a shell command")]
    [InlineData("A = LOAD 'x' /* never closed", "unterminated comment")]
    [InlineData("A = LOAD 'x'; B = FOREACH A GENERATE 99999999999;", "integer literal out of range")]
    [InlineData("A = LOAD 'x'; B = FOREACH A GENERATE $0 @ 1;", "unexpected character")]
    [InlineData("A = LOAD 'x'; B = GROUP A BY $0 USING 'hash';", "GROUP ... USING takes")]
    [InlineData("A = LOAD 'x'; 42;", "expected a statement")]
    [InlineData("LOAD 'x';", "expected a statement")]
    [InlineData("A = BOGUS x;", "expected a relational operator")]
    [InlineData("A = LOAD '$DIR/in.tsv'; B = FOREACH A GENERATE FLATTEN($0) + 1;", "FLATTEN may only be used as a GENERATE item")]
    public async Task BadSyntaxOrPreprocessor_FailsNamingTheProblem(string script, string message)
    {
        var e = await _pig.FailsAsync(script);

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Set_HarmlessSettingsAndParallel_AreAccepted()
    {
        var lines = await _pig.RunAsync("SET default_parallel 4; SET job.name 'my job';" + Load + " B = ORDER A BY s PARALLEL 3; DUMP B;");

        Assert.Equal(["(a,1,1.5)"], lines);
    }

    [Fact]
    public async Task PigTool_ParamFileAndUsageErrors()
    {
        var parameters = _pig.File("params.txt", "# comment\nCITY=a\n\n");
        var script = _pig.File("s.pig", $"A = LOAD '{_pig.PathOf("in.tsv")}' AS (s:chararray); B = FILTER A BY s == '$CITY'; DUMP B;");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        Assert.Equal(0, await PigTool.RunAsync(["-param_file", parameters, "-f", script], stdout, stderr, null, CancellationToken.None));
        Assert.Equal("(a)\n", stdout.ToString());
        Assert.Equal(2, await PigTool.RunAsync(["-f", script, "-e", "DUMP A;"], stdout, stderr, null, CancellationToken.None));
        Assert.Equal(2, await PigTool.RunAsync(["-x", "spark", script], stdout, stderr, null, CancellationToken.None));
        Assert.Equal(2, await PigTool.RunAsync([script, script], stdout, stderr, null, CancellationToken.None));
        Assert.Equal(2, await PigTool.RunAsync(["--threads", "0", script], stdout, stderr, null, CancellationToken.None));
        Assert.Equal(2, await PigTool.RunAsync(["-p"], stdout, stderr, null, CancellationToken.None));
        Assert.Contains("-x spark", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("one script only", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("-p needs a value", stderr.ToString(), StringComparison.Ordinal);
    }
}
