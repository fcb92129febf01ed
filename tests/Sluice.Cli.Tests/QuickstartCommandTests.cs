using System.Text.RegularExpressions;

namespace Sluice.Cli.Tests;

public sealed class QuickstartCommandTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("sluice-cli-quickstart-").FullName;

    [Fact]
    public async Task Quickstart_Default_PrintsCorrectResultLogsAndTerminatedCluster()
    {
        var home = Directory.CreateDirectory(Path.Combine(root, "home")).FullName;
        var data = Path.Combine(root, "qs");

        var result = (await Cli.RunAsync(new CliEnvironment(home), "quickstart", "--data", data)).ShouldExit(0);

        var text = Regex.Replace(result.Stdout, @"\s+", " ");
        // The sum of k² for k = 1..6000 is 6000·6001·12001/6.
        Assert.Contains("result: sum of k² for k = 1..6000 = 72018001000 (correct)", text, StringComparison.Ordinal);
        Assert.Contains("the 6 work instances ran on", text, StringComparison.Ordinal);
        Assert.Contains($"logs: {Path.Combine(data, "logs")}", text, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(data, "logs")), result.ToString());
        Assert.Contains("a Java step (a jar built with javac) writes a text", text, StringComparison.Ordinal);
        Assert.Contains("word count: alpha 300, beta 300, gamma 100 (correct)", text, StringComparison.Ordinal);
        Assert.Matches(@"write-text\s*│\s*Java\s*│\s*Completed", result.Stdout);
        Assert.Matches(@"wordcount\s*│\s*Streaming\s*│\s*Completed", result.Stdout);
        Assert.Matches(@"7\. cluster c-\S+ is Terminated", text);
        // quickstart is self-contained: it writes no profile.
        Assert.False(File.Exists(Path.Combine(home, ".sluice", "credentials")));
    }

    /// <summary>Paths were printed as Spectre markup: a '[' in the data directory crashed quickstart with an unhandled exception.</summary>
    [Fact]
    public async Task Quickstart_DataDirectoryWithBrackets_PrintsThePath()
    {
        var home = Directory.CreateDirectory(Path.Combine(root, "home-b")).FullName;
        var data = Path.Combine(root, "runs[1]");

        var result = (await Cli.RunAsync(new CliEnvironment(home), "quickstart", "--data", data)).ShouldExit(0);

        Assert.Contains($"logs: {Path.Combine(data, "logs")}", Regex.Replace(result.Stdout, @"\s+", " "), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
