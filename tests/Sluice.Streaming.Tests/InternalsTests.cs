using System.Text;
using Sluice.Streaming.Internal;

namespace Sluice.Streaming.Tests;

public sealed class InternalsTests
{
    [Theory]
    [InlineData(1.0, "1.0")]
    [InlineData(2.5, "2.5")]
    [InlineData(0.001, "0.001")]
    [InlineData(0.0001, "1.0E-4")]
    [InlineData(12345678.0, "1.2345678E7")]
    [InlineData(1e21, "1.0E21")]
    [InlineData(-0.5, "-0.5")]
    [InlineData(0.0, "0.0")]
    [InlineData(9999999.0, "9999999.0")]
    public void JavaDouble_Value_FormatsLikeJava(double value, string expected)
    {
        Assert.Equal(expected, JavaFormat.Double(value));
    }

    [Theory]
    [InlineData("10", "9", 1)]
    [InlineData("-10", "9", -1)]
    [InlineData("-10", "-9", -1)]
    [InlineData("007", "7", 0)]
    [InlineData("1.5", "1.25", 1)]
    [InlineData("abc", "0", 0)]
    [InlineData("-0", "0", 0)]
    public void NumericCompare_Numbers_OrderByValue(string a, string b, int expected)
    {
        Assert.Equal(expected, Math.Sign(KeyFieldComparer.NumericCompare(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b))));
    }

    [Fact]
    public void TextHashCode_KnownValues_MatchHadoop()
    {
        // Text("a").hashCode() == 31 * 1 + 97; bytes are signed in Java.
        Assert.Equal(128, Partitioner.TextHashCode("a"u8));
        Assert.Equal(31 - 61, Partitioner.TextHashCode([0xC3]));
        // "hello".hashCode() in Java.
        Assert.Equal(99162322, Partitioner.JavaStringHashCode("hello"u8));
    }

    [Fact]
    public void KeyFieldSpec_Options_ParseLikeHadoop()
    {
        var specs = KeyFieldSpec.Parse("-k2,2nr -k1.2,1 -r");

        Assert.Equal(2, specs.Count);
        Assert.True(specs[0] is { BeginField: 2, EndField: 2, Numeric: true, Reverse: true });
        Assert.True(specs[1] is { BeginField: 1, BeginChar: 2, EndField: 1, Numeric: false, Reverse: true });
        Assert.Throws<StreamingUsageException>(() => KeyFieldSpec.Parse("-kx"));
    }

    [Fact]
    public void CommandLine_PlainAndShellCommands_SplitOrUseShell()
    {
        Assert.Equal(["python3", "map.py", "-x"], CommandLine.Split("python3  map.py -x"));
        Assert.Equal(["/bin/sh", "-c", "cut -f1 | sort"], CommandLine.Split("cut -f1 | sort"));
        Assert.Equal(["/bin/sh", "-c", "awk '{print $1}'"], CommandLine.Split("awk '{print $1}'"));
    }

    [Fact]
    public void CommandLine_SameRuleAsTasks_ShellOnlyWhereShellWordsSaysSo()
    {
        // The rule of ShellWords.TrySplitPlain: '=', '%' and a '~' inside a word need no shell; a builtin or an assignment does.
        Assert.Equal(["python3", "m.py", "n=3", "100%", "a~b"], CommandLine.Split("python3 m.py n=3 100% a~b"));
        Assert.Equal(["/bin/sh", "-c", "cd sub"], CommandLine.Split("cd sub"));
        Assert.Equal(["/bin/sh", "-c", "LC_ALL=C sort"], CommandLine.Split("LC_ALL=C sort"));
        Assert.Throws<StreamingUsageException>(() => CommandLine.Split(" \t "));
    }
}
