using System.Diagnostics;

namespace Sluice.Pig.Tests;

/// <summary>
/// The real <c>sluice pig</c> process, with the argv a Pig step gets on a node (StepCommandBuilder: the launcher, then
/// <c>-p INPUT=… -p OUTPUT=…</c>, the step's arguments, <c>-f script</c>): the BMR manual's grep step (LOAD, FILTER …
/// MATCHES, STORE) on local paths, file:/// URIs and the object store.
/// </summary>
public sealed class PigCommandTests : IDisposable
{
    // The seed's pig_grep.pig shape: every line holding the word, written back as is.
    private const string GrepScript = "-- grep, as the BMR sample step runs it\nA = LOAD '$INPUT' USING TextLoader() AS (line:chararray);\nB = FILTER A BY line MATCHES '.*Pig.*';\nSTORE B INTO '$OUTPUT';\n";
    private const string Data = "Apache Pig runs scripts\nnothing here\nPig Latin\npig lower case\n";

    private readonly string _home = Directory.CreateTempSubdirectory("sluice-pig-cli-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_home, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private Task<(int Exit, string Stdout, string Stderr)> SluiceAsync(params string[] args) => SluiceAsync(new Dictionary<string, string>(), args);

    private async Task<(int Exit, string Stdout, string Stderr)> SluiceAsync(Dictionary<string, string> environment, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "sluice.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: the Sluice.Cli build output should be copied next to the tests");
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _home };
        info.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        info.Environment["HOME"] = _home;
        // bos:// serves only mapped buckets: none here.
        info.Environment["SLUICE_ObjectStorage__Schemes__bos"] = "";
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Grep_AsAPigStepRunsIt_LocalPaths_WritesPartMAndSuccess()
    {
        var script = Write("script/pig_grep.pig", GrepScript);
        var input = Write("data/pig_grep.data", Data);
        var output = Path.Combine(_home, "out", "out1");

        var (exit, _, stderr) = await SluiceAsync("pig", "-p", $"INPUT={input}", "-p", $"OUTPUT={output}", "-f", script);

        Assert.True(exit == 0, stderr);
        Assert.Equal(["_SUCCESS", "part-m-00000"], Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        // MATCHES is case-sensitive and whole-line: "pig lower case" is not selected.
        Assert.Equal("Apache Pig runs scripts\nPig Latin\n", File.ReadAllText(Path.Combine(output, "part-m-00000")));
    }

    [Fact]
    public async Task Grep_FileUris_AndScriptAsLastArgument_WithParamAndLocalMode()
    {
        var script = Write("pig_grep.pig", GrepScript);
        var input = Write("in/data.txt", Data);
        var output = Path.Combine(_home, "o");

        var (exit, _, stderr) = await SluiceAsync("pig", "-x", "local", "-param", $"INPUT=file://{input}", "-param", $"OUTPUT=file://{output}", script);

        Assert.True(exit == 0, stderr);
        Assert.Equal("Apache Pig runs scripts\nPig Latin\n", File.ReadAllText(Path.Combine(output, "part-m-00000")));
        Assert.True(File.Exists(Path.Combine(output, "_SUCCESS")));
    }

    [Fact]
    public async Task Grep_ObjectStoreUris_ReadAndWriteThroughTheStore()
    {
        var data = Path.Combine(_home, "data");
        var bucket = "s3://pig-" + Guid.NewGuid().ToString("N")[..10];
        var local = Write("grep.data", Data);
        var script = Write("pig_grep.pig", GrepScript);
        Assert.Equal(0, (await SluiceAsync("fs", "--data", data, "mb", bucket)).Exit);
        Assert.Equal(0, (await SluiceAsync("fs", "--data", data, "cp", local, $"{bucket}/pig/data/pig_grep.data")).Exit);

        var (exit, _, stderr) = await SluiceAsync("pig", "--data", data, "-p", $"INPUT={bucket}/pig/data/pig_grep.data", "-p", $"OUTPUT={bucket}/output_pig/out1", "-f", script);

        Assert.True(exit == 0, stderr);
        var listing = await SluiceAsync("fs", "--data", data, "ls", $"{bucket}/output_pig/out1/");
        Assert.Contains("_SUCCESS", listing.Stdout, StringComparison.Ordinal);
        Assert.Contains("part-m-00000", listing.Stdout, StringComparison.Ordinal);
        var part = await SluiceAsync("fs", "--data", data, "cat", $"{bucket}/output_pig/out1/part-m-00000");
        Assert.Equal("Apache Pig runs scripts\nPig Latin\n", part.Stdout);

        // The same output again is refused, as Pig refuses an existing output directory, and kept.
        var again = await SluiceAsync("pig", "--data", data, "-p", $"INPUT={bucket}/pig/data/pig_grep.data", "-p", $"OUTPUT={bucket}/output_pig/out1", "-f", script);
        Assert.Equal(1, again.Exit);
        Assert.Contains("already exists", again.Stderr, StringComparison.Ordinal);
        Assert.Equal("Apache Pig runs scripts\nPig Latin\n", (await SluiceAsync("fs", "--data", data, "cat", $"{bucket}/output_pig/out1/part-m-00000")).Stdout);
    }

    [Fact]
    public async Task ObjectStore_MissingInputAndGlob_ExitOneNamingThem()
    {
        var data = Path.Combine(_home, "data");
        var bucket = "s3://pig-" + Guid.NewGuid().ToString("N")[..10];
        var script = Write("pig_grep.pig", GrepScript);
        Assert.Equal(0, (await SluiceAsync("fs", "--data", data, "mb", bucket)).Exit);

        var missing = await SluiceAsync("pig", "--data", data, "-p", $"INPUT={bucket}/nothing.data", "-p", $"OUTPUT={bucket}/out", "-f", script);
        var glob = await SluiceAsync("pig", "--data", data, "-p", $"INPUT={bucket}/in/*.data", "-p", $"OUTPUT={bucket}/out", "-f", script);

        Assert.Equal(1, missing.Exit);
        Assert.Contains($"Input path does not exist: {bucket}/nothing.data", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, glob.Exit);
        Assert.Contains("a glob in an object URI input", glob.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("out", (await SluiceAsync("fs", "--data", data, "ls", $"{bucket}/")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ParseError_ExitsOne_WithLineColumnAndTokenOnStderr()
    {
        var script = Write("bad.pig", "A = LOAD 'x';\nB = FILTER A BY ;\n");

        var (exit, stdout, stderr) = await SluiceAsync("pig", "-f", script);

        Assert.Equal(1, exit);
        Assert.Empty(stdout);
        Assert.Contains("ERROR 1200: <file bad.pig> line 2, column 17", stderr, StringComparison.Ordinal);
        Assert.Contains("';'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsageErrors_ExitTwo()
    {
        Assert.Equal(2, (await SluiceAsync("pig")).Exit);
        var unknown = await SluiceAsync("pig", "--bogus", "x.pig");
        Assert.Equal(2, unknown.Exit);
        Assert.Contains("unknown option --bogus", unknown.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, (await SluiceAsync("pig", "-p", "NOEQUALS", "-f", "x.pig")).Exit);
        Assert.Equal(2, (await SluiceAsync("pig", "-f", Path.Combine(_home, "missing.pig"))).Exit);
    }

    [Fact]
    public async Task EngineBounds_FromTheTaskEnvironment_AreCheckedAndUsed()
    {
        var input = Write("n.txt", "1\n");
        var script = $"A = LOAD '{input}' AS (n:int); DUMP A;";

        var bad = await SluiceAsync(new Dictionary<string, string> { ["SLUICE_PIG_THREADS"] = "lots" }, "pig", "-e", script);
        var tooSmall = await SluiceAsync(new Dictionary<string, string> { ["SLUICE_PIG_MEMORY_LIMIT"] = "nonsense" }, "pig", "-e", script);
        var good = await SluiceAsync(new Dictionary<string, string> { ["SLUICE_PIG_THREADS"] = "1", ["SLUICE_PIG_MEMORY_LIMIT"] = "128MB" }, "pig", "-e", script);

        Assert.Equal(2, bad.Exit);
        Assert.Contains("SLUICE_PIG_THREADS=lots", bad.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, tooSmall.Exit);
        Assert.Contains("ERROR 2997", tooSmall.Stderr, StringComparison.Ordinal);
        Assert.Equal((0, "(1)\n"), (good.Exit, good.Stdout));
    }

    [Fact]
    public async Task Dump_PrintsToStdout_AndInlineStatementsRun()
    {
        var input = Write("n.txt", "1\n2\n");

        var (exit, stdout, stderr) = await SluiceAsync("pig", "-e", $"A = LOAD '{input}' AS (n:int); B = FOREACH A GENERATE n * 10; DUMP B;", "--threads", "1", "--memory-limit", "256MB");

        Assert.True(exit == 0, stderr);
        Assert.Equal("(10)\n(20)\n", stdout);
    }
}
