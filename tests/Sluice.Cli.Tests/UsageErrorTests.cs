using System.Net;
using System.Net.Sockets;

namespace Sluice.Cli.Tests;

/// <summary>Command-line and input-file mistakes exit 2 with a message on stderr and nothing on stdout; service errors exit 3.</summary>
[Collection(ServerCollection.Name)]
public sealed class UsageErrorTests(ServerFixture server)
{
    [Fact]
    public async Task Run_UnknownCommand_ExitsUsage()
    {
        var result = (await server.RunAsync("frobnicate")).ShouldExit(2);

        Assert.Contains("frobnicate", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("sluice --help", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.StdoutBytes);
    }

    [Theory]
    [InlineData("core:Core:g.small")]
    [InlineData("core:Core:g.small:two")]
    [InlineData("core")]
    public async Task ClusterCreate_BadGroup_ExitsUsageNamingTheFormat(string group)
    {
        var result = (await server.RunAsync("cluster", "create", "--name", "x", "--group", group)).ShouldExit(2);

        Assert.Contains($"--group '{group}' must be NAME:ROLE:TYPE:COUNT", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.StdoutBytes);
    }

    [Theory]
    [InlineData("novalue")]
    [InlineData("=value")]
    public async Task ClusterCreate_BadTag_ExitsUsage(string tag)
    {
        var result = (await server.RunAsync("cluster", "create", "--name", "x", "--group", "m:Master:g.small:1", "--tag", tag)).ShouldExit(2);

        Assert.Contains($"--tag '{tag}' must be KEY=VALUE", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClusterCreate_BadBootstrap_ExitsUsage()
    {
        var result = (await server.RunAsync("cluster", "create", "--name", "x", "--group", "m:Master:g.small:1", "--bootstrap", "/no/target.sh")).ShouldExit(2);

        Assert.Contains("must be TARGET:PATH", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JobSubmit_MissingFile_ExitsUsage()
    {
        var path = Path.Combine(server.Root, "no-such-job.yaml");

        var result = (await server.RunAsync("job", "submit", path)).ShouldExit(2);

        Assert.Contains($"file '{path}' does not exist", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad.yaml", "name: [unclosed\ndag: {}\n", "neither JSON nor valid YAML")]
    [InlineData("bad.json", """{"name": "x", "dag": {"tasks": {}}""", "does not match the expected shape")]
    [InlineData("shape.json", """{"name": "x", "priority": "high"}""", "$.priority")]
    [InlineData("list.yaml", "- just\n- a list\n", "does not match the expected shape")]
    [InlineData("empty.yaml", "", "is empty")]
    [InlineData("complex-key.yaml", "? [a, b]\n: c\n", "not a plain string")]
    public async Task JobSubmit_MalformedFile_ExitsUsageSayingWhatIsWrong(string name, string text, string expected)
    {
        var file = server.WriteFile(name, text);

        var result = (await server.RunAsync("job", "submit", file, "--cluster", server.ClusterId)).ShouldExit(2);

        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.StdoutBytes);
    }

    [Fact]
    public async Task ClusterCreate_BackendTheServerLacks_ExitsUsageErrorNamingTheBackends()
    {
        var result = (await server.RunAsync("cluster", "create", "--name", "x", "--group", "core:Core:g.small:1", "--backend", "slurm")).ShouldExit(2);

        Assert.Contains("backend 'slurm' is not configured on this server; available: local", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Up_SlurmOptionWithoutWorkDirectory_ExitsUsage()
    {
        var result = (await server.RunAsync("up", "--port", "0", "--slurm-partition", "batch")).ShouldExit(2);

        Assert.Contains("need --slurm-work-dir", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_OutputXml_ExitsUsage()
    {
        var result = (await server.RunAsync("cluster", "list", "--output", "xml")).ShouldExit(2);

        Assert.Contains("xml", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("json", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("127.0.0.1:8780")]
    [InlineData("localhost:8780")]
    [InlineData("ftp://127.0.0.1/")]
    public async Task Run_BadEndpoint_ExitsUsage(string endpoint)
    {
        var result = (await server.RunAsync("cluster", "list", "--endpoint", endpoint)).ShouldExit(2);

        Assert.Contains($"--endpoint '{endpoint}' is not an absolute URL", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NoCredentialsAnywhere_ExitsUsageSayingToRunSluiceUp()
    {
        var home = Directory.CreateDirectory(Path.Combine(server.Root, "empty-home-" + Guid.NewGuid().ToString("N"))).FullName;

        var result = (await Cli.RunAsync(new CliEnvironment(home), "cluster", "list")).ShouldExit(2);

        Assert.Contains("sluice up", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.StdoutBytes);
    }

    [Fact]
    public async Task Run_UpPortOutOfRange_ExitsUsage()
    {
        var home = Directory.CreateDirectory(Path.Combine(server.Root, "up-home-" + Guid.NewGuid().ToString("N"))).FullName;

        var result = (await Cli.RunAsync(new CliEnvironment(home), "up", "--port", "70000", "--data", Path.Combine(home, "data"))).ShouldExit(2);

        Assert.Contains("--port 70000", result.Stderr, StringComparison.Ordinal);
    }

    // Issue #15 item 6: these died with a stack trace. Every numeric option and argument of every command is here.
    public static TheoryData<string[], string> BadNumbers => new()
    {
        { ["cluster", "resize", "c-1", "core", "-1"], "count -1 must be 0 or more" },
        { ["cluster", "resize", "c-1", "core", "two"], "two" },
        { ["cluster", "resize", "c-1", "core", "99999999999"], "99999999999" },
        { ["cluster", "create", "--name", "x", "--group", "core:Core:g.small:-2"], "with a COUNT of 1 or more" },
        { ["cluster", "create", "--name", "x", "--group", "core:Core:g.small:0"], "with a COUNT of 1 or more" },
        { ["cluster", "create", "--name", "x", "--group", "m:Master:g.small:1", "--step-concurrency", "0"], "--step-concurrency 0 must be from 1 to 256" },
        { ["cluster", "create", "--name", "x", "--group", "m:Master:g.small:1", "--step-concurrency", "-3"], "--step-concurrency -3 must be from 1 to 256" },
        { ["cluster", "create", "--name", "x", "--group", "m:Master:g.small:1", "--step-concurrency", "257"], "--step-concurrency 257 must be from 1 to 256" },
        { ["logs", "j-1", "t", "-i", "-1"], "--instance -1 must be 0 or more" },
        { ["logs", "j-1", "t", "--instance", "x"], "x" },
        { ["logs", "j-1", "t", "--offset", "-5"], "--offset -5 must be 0 or more" },
        { ["logs", "j-1", "t", "--offset", "99999999999999999999"], "99999999999999999999" },
        { ["step", "logs", "c-1", "s-1", "--offset", "-1"], "--offset -1 must be 0 or more" },
        { ["step", "wait", "c-1", "s-1", "--timeout", "-1"], "--timeout -1 must be 1 or more" },
        { ["step", "wait", "c-1", "s-1", "--timeout", "0"], "--timeout 0 must be 1 or more" },
        { ["step", "add", "c-1", "--type", "Streaming", "--mapper", "cat", "--input", "/in", "--output-path", "/out", "--reduce-tasks", "-1"], "--reduce-tasks -1 must be 0 or more" },
        { ["up", "--port", "-1"], "--port -1 must be from 0 to 65535" },
        { ["up", "--port", "http"], "http" },
    };

    [Theory]
    [MemberData(nameof(BadNumbers))]
    public async Task Run_BadNumber_ExitsUsageWithOneLineAndNoStackTrace(string[] args, string expected)
    {
        var home = Directory.CreateDirectory(Path.Combine(server.Root, "numbers-" + Guid.NewGuid().ToString("N"))).FullName;
        var environment = server.Environment with { Home = home };

        var result = (await Cli.RunAsync(environment, [.. args, .. args[0] == "up" ? new[] { "--data", Path.Combine(home, "data") } : []])).ShouldExit(2);

        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.StdoutBytes);
    }

    [Fact]
    public async Task Run_ServerNotRunning_ExitsServiceError()
    {
        var closed = ClosedPort();

        var result = (await server.RunAsync("cluster", "list", "--endpoint", $"http://127.0.0.1:{closed}/")).ShouldExit(3);

        Assert.Contains("refused", result.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Unhandled exception", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WrongSecret_ExitsServiceErrorWithSignatureDoesNotMatch()
    {
        var environment = server.Environment with { SecretAccessKey = "not-the-secret" };

        var result = (await Cli.RunAsync(environment, "cluster", "list")).ShouldExit(3);

        Assert.Contains("SignatureDoesNotMatch", result.Stderr, StringComparison.Ordinal);
    }

    // A port that was free a moment ago and that nothing listens on now.
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
