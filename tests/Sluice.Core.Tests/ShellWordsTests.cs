using Sluice.Core;

namespace Sluice.Core.Tests;

public class ShellWordsTests
{
    [Fact]
    public void Join_PlainWords_StayUnquoted() =>
        Assert.Equal("/opt/boot.sh --size=3 a,b", ShellWords.Join(["/opt/boot.sh", "--size=3", "a,b"]));

    [Fact]
    public void Join_SpecialCharacters_AreSingleQuoted() =>
        Assert.Equal("echo 'a b' 'it'\\''s' '$HOME' ''", ShellWords.Join(["echo", "a b", "it's", "$HOME", ""]));
}
