using Sluice.Core;

namespace Sluice.Backends.Local.Tests;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData("/bin/true", new[] { "/bin/true" })]
    [InlineData("true", new[] { "true" })]
    [InlineData("  python3   job.py --n 3  ", new[] { "python3", "job.py", "--n", "3" })]
    [InlineData("a\tb", new[] { "a", "b" })]
    [InlineData("java -Xmx1g -jar app.jar --opt=value", new[] { "java", "-Xmx1g", "-jar", "app.jar", "--opt=value" })]
    [InlineData("./run.sh a~b c=d", new[] { "./run.sh", "a~b", "c=d" })]
    [InlineData("echo 100% done", new[] { "echo", "100%", "done" })]
    [InlineData("/usr/bin/env", new[] { "/usr/bin/env" })]
    [InlineData("hadoop-streaming -mapper m.py -reducer r.py", new[] { "hadoop-streaming", "-mapper", "m.py", "-reducer", "r.py" })]
    public void TrySplitPlain_PlainWords_SplitsLikeShell(string commandLine, string[] expected)
    {
        Assert.True(CommandLine.TrySplitPlain(commandLine, out var argv));
        Assert.Equal(expected, argv);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("echo 'quoted'")]
    [InlineData("echo \"quoted\"")]
    [InlineData("a | b")]
    [InlineData("a && b")]
    [InlineData("sleep 1 &")]
    [InlineData("a; b")]
    [InlineData("a < in")]
    [InlineData("a > out")]
    [InlineData("(a)")]
    [InlineData("echo $HOME")]
    [InlineData("echo `date`")]
    [InlineData("echo a\\ b")]
    [InlineData("ls *.txt")]
    [InlineData("ls file?")]
    [InlineData("ls [ab]")]
    [InlineData("ls ~/x")]
    [InlineData("ls ~")]
    [InlineData("a # comment")]
    [InlineData("a\nb")]
    [InlineData("FOO=bar cmd")]
    [InlineData("_X1=2 cmd")]
    [InlineData("cd /tmp")]
    [InlineData("export A")]
    [InlineData("exit 3")]
    [InlineData("if true")]
    [InlineData("for x in a")]
    [InlineData(". ./env.sh")]
    [InlineData("source env.sh")]
    [InlineData("exec prog")]
    [InlineData("{ a; }")]
    [InlineData("! false")]
    public void TrySplitPlain_ShellSyntax_ReturnsFalse(string commandLine)
    {
        Assert.False(CommandLine.TrySplitPlain(commandLine, out var argv));
        Assert.Empty(argv);
    }

    [Theory]
    [InlineData("=x cmd")]
    [InlineData("1A=x cmd")]
    [InlineData("a-b=c cmd")]
    public void TrySplitPlain_EqualsNotAnAssignment_Splits(string commandLine)
    {
        // Not a NAME=value word, so the shell would treat it as the program name too.
        Assert.True(CommandLine.TrySplitPlain(commandLine, out var argv));
        Assert.Equal(2, argv.Count);
    }
}
