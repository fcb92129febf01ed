namespace Sluice.Streaming.Tests;

/// <summary>
/// With one reducer, a job's output equals <c>cat input | mapper | LC_ALL=C sort -t$'\t' -k1,1 -s | reducer</c>
/// byte for byte.
/// </summary>
public sealed class CrossCheckTests : IDisposable
{
    private const string PyMapper = "import sys\nfor line in sys.stdin:\n    for w in line.split():\n        print(w + '\\t1')\n";
    private const string PyReducer = "import sys\ncur = None\nn = 0\nfor line in sys.stdin:\n    k, v = line.rstrip('\\n').split('\\t', 1)\n    if k != cur:\n        if cur is not None:\n            print(cur + '\\t' + str(n))\n        cur = k\n        n = 0\n    n += int(v)\nif cur is not None:\n    print(cur + '\\t' + str(n))\n";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, string> Commands => new()
    {
        { "python3 map.py", "python3 reduce.py" },
        { "awk '{for (i = 1; i <= NF; i++) print $i \"\\t\" $1 \"-\" NF}'", "cat" },
        { "awk '{for (i = 1; i <= NF; i++) print $i \"\\t\" NR}'", "awk -F'\\t' '{s[$1] += $2} END {for (k in s) n++; print \"keys\\t\" n}'" },
        { "python3 map.py", "awk -F'\\t' '$1 != p {if (NR > 1) print p \"\\t\" c; p = $1; c = 0} {c += $2} END {print p \"\\t\" c}'" },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task RunAsync_SingleReducer_MatchesShellPipelineByteForByte(string mapper, string reducer)
    {
        _dir.File("map.py", PyMapper);
        _dir.File("reduce.py", PyReducer);
        var input = _dir.File("in/a.txt", Jobs.Corpus(3000, 1));
        _dir.File("in/b.txt", Jobs.Corpus(2000, 2));
        var output = _dir.Combine("out");

        await Jobs.RunOkAsync("-input", _dir.Combine("in"), "-output", output, "-mapper", mapper, "-reducer", reducer,
            "-files", $"{_dir.Combine("map.py")},{_dir.Combine("reduce.py")}", "--split-size", "20000");

        var expected = Jobs.Bash($"cat in/a.txt in/b.txt | {mapper} | sort -t$'\\t' -k1,1 -s | {reducer}", _dir.Path);
        Assert.Equal(expected, Jobs.ReadOutput(output));
        Assert.True(File.Exists(Path.Combine(output, "_SUCCESS")));
        Assert.False(Directory.Exists(Path.Combine(output, "_temporary")));
        _ = input;
    }
}
