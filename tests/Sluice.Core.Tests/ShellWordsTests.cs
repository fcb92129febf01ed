using System.Diagnostics;

namespace Sluice.Core.Tests;

public class ShellWordsTests
{
    [Fact]
    public void Join_PlainWords_StayUnquoted() =>
        Assert.Equal("/opt/boot.sh --size=3 a,b", ShellWords.Join(["/opt/boot.sh", "--size=3", "a,b"]));

    [Fact]
    public void Join_SpecialCharacters_AreSingleQuoted() =>
        Assert.Equal("echo 'a b' 'it'\\''s' '$HOME' ''", ShellWords.Join(["echo", "a b", "it's", "$HOME", ""]));

    [Fact]
    public void Join_FirstWordLooksLikeAnAssignment_IsQuotedSoTheShellRunsIt() =>
        Assert.Equal("'FOO=bar' x=1", ShellWords.Join(["FOO=bar", "x=1"]));

    [Theory]
    [InlineData("a~b")]
    [InlineData("100%")]
    [InlineData("--opt=value")]
    [InlineData("=x")]
    [InlineData("héllo^")]
    public void Quote_WordsTrySplitPlainKeeps_StayUnquoted(string word) =>
        Assert.Equal(word, ShellWords.Quote(word));

    [Theory]
    [InlineData("~x", "'~x'")]
    [InlineData("a\tb", "'a\tb'")]
    [InlineData("a{b", "'a{b'")]
    [InlineData("!", "'!'")]
    [InlineData("a\rb", "'a\rb'")]
    public void Quote_WordsTrySplitPlainLeavesToAShell_AreQuoted(string word, string quoted) =>
        Assert.Equal(quoted, ShellWords.Quote(word));

    [Fact]
    public void Join_PlainWords_TrySplitPlainSplitsThemBack()
    {
        string[] words = ["python3", "job.py", "--n=3", "a~b", "100%", "=x"];

        Assert.True(ShellWords.TrySplitPlain(ShellWords.Join(words), out var argv));
        Assert.Equal(words, argv);
    }

    [Fact]
    public async Task Join_AnyWords_ShellSplitsThemBack()
    {
        string[] words = ["printf", "%s\\0", "a b", "it's", "$HOME", "", "~", "*", "x=1", "tab\there", "line\nbreak", "\"q\"", "back\\slash", "{a,b}", "!", "#c"];
        using var shell = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", ShellWords.Join(words)]) { RedirectStandardOutput = true })!;
        var output = await shell.StandardOutput.ReadToEndAsync();
        await shell.WaitForExitAsync();

        Assert.Equal(0, shell.ExitCode);
        Assert.Equal(words[2..], output.Split('\0')[..^1]);
    }

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
        Assert.True(ShellWords.TrySplitPlain(commandLine, out var argv));
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
        Assert.False(ShellWords.TrySplitPlain(commandLine, out var argv));
        Assert.Empty(argv);
    }

    [Theory]
    [InlineData("=x cmd")]
    [InlineData("1A=x cmd")]
    [InlineData("a-b=c cmd")]
    public void TrySplitPlain_EqualsNotAnAssignment_Splits(string commandLine)
    {
        // Not a NAME=value word, so the shell would treat it as the program name too.
        Assert.True(ShellWords.TrySplitPlain(commandLine, out var argv));
        Assert.Equal(2, argv.Count);
    }
}
