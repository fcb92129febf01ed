namespace Sluice.Pig.Tests;

/// <summary>A temp folder with data files; runs scripts on the real engine (real DuckDB, real files) and reads what they wrote.</summary>
public sealed class PigHarness : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("sluice-pig-tests-").FullName;

    public string File(string name, string text)
    {
        var path = Path.Combine(Root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    public string PathOf(string name) => Path.Combine(Root, name);

    /// <summary>Runs the script with $DIR set to the temp folder; returns what DUMP/DESCRIBE printed, line by line.</summary>
    public async Task<List<string>> RunAsync(string script, Dictionary<string, string>? parameters = null)
    {
        var all = new Dictionary<string, string>(parameters ?? []) { ["DIR"] = Root };
        using var stdout = new StringWriter();
        await new PigEngine(new PigEngineOptions { Threads = 2, MemoryLimit = "512MB" }).RunAsync(script, all, stdout);
        return stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    /// <summary>Runs and returns the DUMP lines sorted ordinally (for relations whose order Pig does not define).</summary>
    public async Task<List<string>> SortedAsync(string script) => (await RunAsync(script)).Order(StringComparer.Ordinal).ToList();

    public async Task<PigException> FailsAsync(string script, Dictionary<string, string>? parameters = null) =>
        await Assert.ThrowsAsync<PigException>(() => RunAsync(script, parameters));

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
