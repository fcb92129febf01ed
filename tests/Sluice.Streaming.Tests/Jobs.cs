using System.Diagnostics;
using System.Text;

namespace Sluice.Streaming.Tests;

/// <summary>Helpers to run jobs and the shell pipelines they are compared with.</summary>
internal static class Jobs
{
    public static async Task<StreamingJobResult> RunAsync(params string[] args)
    {
        var spec = StreamingArguments.Parse(args);
        return await new StreamingEngine().RunAsync(spec);
    }

    public static async Task<StreamingJobResult> RunOkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.Succeeded, result.Error);
        return result;
    }

    /// <summary>All part files concatenated in order.</summary>
    public static string ReadOutput(string directory) =>
        string.Concat(Directory.GetFiles(directory, "part-*").Order(StringComparer.Ordinal).Select(File.ReadAllText));

    public static string[] PartFiles(string directory) =>
        Directory.GetFiles(directory, "part-*").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    /// <summary>Runs a bash pipeline with LC_ALL=C and returns its stdout.</summary>
    public static string Bash(string script, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        info.Environment["LC_ALL"] = "C";
        info.Environment.Remove("PYTHONUNBUFFERED");
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"bash failed ({process.ExitCode}): {stderr.Result}");
        return output;
    }

    /// <summary>A deterministic word corpus.</summary>
    public static string Corpus(int lines, int seed = 7)
    {
        var random = new Random(seed);
        string[] words = ["apple", "banana", "cherry", "date", "elder", "fig", "grape", "Zebra", "zeta", "a", "ab", "abc", "b", "ü", "éclair", "10", "9", "-3"];
        var sb = new StringBuilder();
        for (var i = 0; i < lines; i++)
        {
            var n = random.Next(1, 12);
            for (var j = 0; j < n; j++)
            {
                sb.Append(words[random.Next(words.Length)]).Append(j + 1 < n ? " " : "");
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
