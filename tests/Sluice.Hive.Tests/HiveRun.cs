using System.Text;

namespace Sluice.Hive.Tests;

/// <summary>A scratch directory with data files, and scripts run through the real <c>sluice hive</c> entry point on it.</summary>
internal sealed class HiveRun : IDisposable
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "sluice-hive-tests-" + Guid.NewGuid().ToString("N")[..10]);

    public HiveRun() => System.IO.Directory.CreateDirectory(Directory);

    public string Metastore => Path.Combine(Directory, "metastore");

    /// <summary>Writes a file under the directory (folders made); returns its path.</summary>
    public string Write(string relative, string content)
    {
        var path = Path.Combine(Directory, relative);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public string Read(string relative) => File.ReadAllText(Path.Combine(Directory, relative));

    /// <summary>Runs the statements (with <c>${D}</c> the directory) and returns exit code, stdout and stderr.</summary>
    public async Task<(int Code, string Out, string Err)> RunAsync(string script, params string[] extra)
    {
        var file = Write("q-" + Guid.NewGuid().ToString("N")[..6] + ".hql", script);
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var code = await HiveTool.RunAsync(["-f", file, "--hivevar", $"D={Directory}", "--metastore", Metastore, .. extra], stdout, stderr, Metastore, null, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs and requires success; returns stdout.</summary>
    public async Task<string> QueryAsync(string script, params string[] extra)
    {
        var (code, output, error) = await RunAsync(script, extra);
        Assert.True(code == 0, $"exit {code}: {error}");
        return output;
    }

    /// <summary>Runs and requires failure; returns the FAILED line.</summary>
    public async Task<string> FailAsync(string script)
    {
        var (code, _, error) = await RunAsync(script);
        Assert.NotEqual(0, code);
        return error.Split('\n').First(l => l.StartsWith("FAILED", StringComparison.Ordinal));
    }

    /// <summary>Lines of delimited rows from fields.</summary>
    public static string Rows(params string[][] rows) => string.Concat(rows.Select(r => string.Join('\t', r) + "\n"));

    public static string Ctrl(params string[] fields) => string.Join('\u0001', fields);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static string Lines(IEnumerable<string> lines) => new StringBuilder().AppendJoin("", lines.Select(l => l + "\n")).ToString();
}
