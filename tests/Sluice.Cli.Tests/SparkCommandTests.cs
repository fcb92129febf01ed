using System.Text;
using System.Text.Json;

namespace Sluice.Cli.Tests;

/// <summary>Issue #20: <c>sluice spark cluster|app|job</c>, the AZTK model, against a real server and real processes.</summary>
public sealed class SparkCommandTests(SparkServerFixture server) : IClassFixture<SparkServerFixture>
{
    private static string Id(CliResult result, string property = "id")
    {
        using var document = JsonDocument.Parse(result.StdoutBytes);
        var root = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement[0] : document.RootElement;
        return root.GetProperty(property).GetString()!;
    }

    private async Task<string> NewClusterAsync(string name)
    {
        var file = server.WriteFile("cluster.yaml", $"cluster_id: {name}\nvm_size: g.small\nvm_count: 1\n");
        return Id((await server.RunAsync("spark", "cluster", "create", file, "--wait", "-o", "json")).ShouldExit(0));
    }

    [Fact]
    public async Task SparkAppSubmitLogTail_PythonApplication_WholeLogThenOnlyTheNewBytes()
    {
        var cluster = await NewClusterAsync("cli-apps");
        var app = server.WriteFile("lines.py", "import sys\nfor i in range(1, 101):\n    print(f'line {i}', *sys.argv[1:])\n");

        (await server.RunAsync("spark", "app", "submit", cluster, "--name", "lines", app, "--wait", "--", "x", "--y")).ShouldExit(0);
        var whole = (await server.RunAsync("spark", "app", "log", cluster, "lines")).ShouldExit(0).Stdout;
        var json = (await server.RunAsync("spark", "app", "log", cluster, "lines", "-o", "json")).ShouldExit(0);
        var head = string.Concat(Enumerable.Range(1, 60).Select(i => $"line {i} x --y\n"));
        var tail = (await server.RunAsync("spark", "app", "log", cluster, "lines", "--tail", "--current-bytes", Encoding.UTF8.GetByteCount(head).ToString(System.Globalization.CultureInfo.InvariantCulture))).ShouldExit(0).Stdout;
        var list = (await server.RunAsync("spark", "app", "list", cluster)).ShouldExit(0).Stdout;
        var waitAll = await server.RunAsync("spark", "app", "wait", cluster);

        Assert.Equal(string.Concat(Enumerable.Range(1, 100).Select(i => $"line {i} x --y\n")), whole);
        using (var document = JsonDocument.Parse(json.StdoutBytes))
        {
            Assert.Equal(Encoding.UTF8.GetByteCount(whole), document.RootElement.GetProperty("totalBytes").GetInt64());
        }
        Assert.Equal(string.Concat(Enumerable.Range(61, 40).Select(i => $"line {i} x --y\n")), tail);
        Assert.Contains("lines", list, StringComparison.Ordinal);
        Assert.Contains("Completed", list, StringComparison.Ordinal);
        waitAll.ShouldExit(0);
        (await server.RunAsync("cluster", "terminate", cluster)).ShouldExit(0);
    }

    [Fact]
    public async Task SparkAppStop_RunningApplication_WaitExitsOneWithCancelled()
    {
        var cluster = await NewClusterAsync("cli-stop");
        var app = server.WriteFile("sleep.py", "import time\nprint('started', flush=True)\ntime.sleep(600)\n");
        (await server.RunAsync("spark", "app", "submit", cluster, "--name", "sleeper", app)).ShouldExit(0);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!(await server.RunAsync("spark", "app", "log", cluster, "sleeper")).Stdout.Contains("started", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the application did not start within 60 s");
            await Task.Delay(200);
        }

        (await server.RunAsync("spark", "app", "stop", cluster, "sleeper")).ShouldExit(0);
        var waited = await server.RunAsync("spark", "app", "wait", cluster, "sleeper");

        waited.ShouldExit(1);
        Assert.Contains("Cancelled", waited.Stdout, StringComparison.Ordinal);
        (await server.RunAsync("cluster", "terminate", cluster)).ShouldExit(0);
    }

    [Fact]
    public async Task SparkJobSubmit_YamlWithTwoApplications_RunsBothThenAppsLogsListAndDelete()
    {
        var count = server.WriteFile("count.py", "print(sum(range(10)))\n");
        var greet = server.WriteFile("greet.py", "import sys\nprint('hello', ' '.join(sys.argv[1:]))\n");
        var defaults = server.WriteFile("spark-defaults.conf", "spark.answer 42\n");
        var file = server.WriteFile("job.yaml", $"""
            id: cli-job
            vm_size: g.small
            max_dedicated_nodes: 2
            spark_configuration:
              spark_defaults_conf: {defaults}
            applications:
              - name: count
                application: {count}
              - name: greet
                application: {greet}
                application_args: [from, yaml]
                driver_memory: 512m
            """);

        var submitted = (await server.RunAsync("spark", "job", "submit", file, "--wait", "-o", "json")).ShouldExit(0);
        var jobId = Id(submitted);
        var apps = (await server.RunAsync("spark", "job", "apps", jobId)).ShouldExit(0).Stdout;
        var log = (await server.RunAsync("spark", "job", "app-log", jobId, "greet")).ShouldExit(0).Stdout;
        var stderr = (await server.RunAsync("spark", "job", "app-log", jobId, "greet", "--log", "stderr")).ShouldExit(0).Stdout;
        var list = (await server.RunAsync("spark", "job", "list")).ShouldExit(0).Stdout;
        var get = (await server.RunAsync("spark", "job", "get", jobId, "-o", "json")).ShouldExit(0);

        using (var document = JsonDocument.Parse(submitted.StdoutBytes))
        {
            Assert.Equal(("cli-job", "Terminated"), (document.RootElement.GetProperty("name").GetString(), document.RootElement.GetProperty("state").GetString()));
        }
        Assert.Contains("count", apps, StringComparison.Ordinal);
        Assert.Equal(2, apps.Split("Completed").Length - 1);
        Assert.Equal("hello from yaml\n", log);
        Assert.Contains("spark-submit: conf file spark-defaults.conf", stderr, StringComparison.Ordinal);
        Assert.Contains("spark-submit: --driver-memory 512m", stderr, StringComparison.Ordinal);
        Assert.Contains(jobId, list, StringComparison.Ordinal);
        Assert.Equal("AllStepsCompleted", JsonDocument.Parse(get.StdoutBytes).RootElement.GetProperty("stateChangeReason").GetProperty("code").GetString());

        (await server.RunAsync("spark", "job", "delete", jobId)).ShouldExit(0);
        var gone = await server.RunAsync("spark", "job", "get", jobId);
        gone.ShouldExit(3);
        Assert.Contains("ClusterNotFound", gone.Stderr, StringComparison.Ordinal);
        (await server.RunAsync("spark", "job", "delete", jobId)).ShouldExit(3);
    }

    [Fact]
    public async Task SparkJobStop_AnotherAccount_NotFoundThenTheOwnerStopsIt()
    {
        var sleeper = server.WriteFile("forever.py", "import time\ntime.sleep(600)\n");
        var file = server.WriteFile("job.json", $$"""{"id": "cli-private", "vm_size": "g.small", "applications": [{"name": "forever", "application": "{{sleeper}}"}]}""");
        var jobId = Id((await server.RunAsync("spark", "job", "submit", file, "-o", "json")).ShouldExit(0));

        var otherGet = await Cli.RunAsync(server.Other, "spark", "job", "get", jobId);
        var otherStop = await Cli.RunAsync(server.Other, "spark", "job", "stop", jobId);
        var otherAppStop = await Cli.RunAsync(server.Other, "spark", "job", "app-stop", jobId, "forever");
        var otherList = (await Cli.RunAsync(server.Other, "spark", "job", "list")).ShouldExit(0).Stdout;

        Assert.All(new[] { otherGet, otherStop, otherAppStop }, r => Assert.Contains("ClusterNotFound", r.ShouldExit(3).Stderr, StringComparison.Ordinal));
        Assert.DoesNotContain(jobId, otherList, StringComparison.Ordinal);
        (await server.RunAsync("spark", "job", "stop", jobId)).ShouldExit(0);
        var waited = await server.RunAsync("spark", "job", "wait", jobId, "-o", "json");
        waited.ShouldExit(1);
        Assert.Equal("UserRequest", JsonDocument.Parse(waited.StdoutBytes).RootElement.GetProperty("stateChangeReason").GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("docker_repo: aztk/base:latest\n", "DockerNotSupported")]
    [InlineData("gpu_enabled: true\n", "does not match the expected shape")]
    [InlineData("custom_scripts:\n  - name: s\n    script: /bin/true\n    run_on: everywhere\n", "master, worker, all-nodes")]
    [InlineData("max_dedicated_nodes: 0\n", "never Spot")]
    public async Task SparkJobSubmit_BadFile_UsageErrorAndNoCluster(string extra, string message)
    {
        var app = server.WriteFile("a.py", "print(1)\n");
        var file = server.WriteFile("job.yaml", $"id: cli-bad\nvm_size: g.small\napplications:\n  - name: a\n    application: {app}\n{extra}");

        var result = await server.RunAsync("spark", "job", "submit", file);

        result.ShouldExit(2);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("cli-bad", (await server.RunAsync("cluster", "list")).ShouldExit(0).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SparkAppLog_NegativeCurrentBytes_UsageError()
    {
        var result = await server.RunAsync("spark", "app", "log", "c-none", "x", "--tail", "--current-bytes", "-1");

        result.ShouldExit(2);
        Assert.Contains("--current-bytes -1 must be 0 or more", result.Stderr, StringComparison.Ordinal);
    }
}
