using System.Diagnostics;
using System.Text;
using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Server.Tests;

/// <summary>Issue #4: Java steps on a real JVM, and the argv each application step type hands its launcher.</summary>
[Collection(ServerCollection.Name)]
public class StepApplicationTests(ServerFixture server)
{
    private SluiceClient Client => server.Client;

    /// <summary>Compiles two classes with javac and packs them with jar; the manifest's Main-Class is Hello.</summary>
    internal static string BuildJar(string directory)
    {
        File.WriteAllText(Path.Combine(directory, "Hello.java"),
            "public class Hello { public static void main(String[] a) { System.out.println(\"hello from java: \" + String.join(\",\", a)); } }");
        File.WriteAllText(Path.Combine(directory, "Other.java"),
            "public class Other { public static void main(String[] a) { System.out.println(\"other main, \" + a.length + \" args\"); System.exit(a.length == 0 ? 5 : 0); } }");
        Run(directory, "javac", "-d", "classes", "Hello.java", "Other.java");
        Run(directory, "jar", "--create", "--file", "hello.jar", "--main-class", "Hello", "-C", "classes", ".");
        return Path.Combine(directory, "hello.jar");
    }

    private static void Run(string directory, string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{program} is not installed: install a JDK (apt-get install openjdk-17-jdk-headless; scripts/test.sh does it). {e.Message}", e);
        }
        using (process)
        {
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"{program} failed: {error}");
        }
    }

    private async Task<string> StdoutAsync(string clusterId, string stepId)
    {
        LogChunk chunk = await Client.ReadStepLogAsync(clusterId, stepId, StepLogKind.Stdout);
        return Encoding.UTF8.GetString(chunk.Data.Span);
    }

    private string[] Argv(string stepId) => File.ReadAllLines(Path.Combine(server.ArgvDirectory, stepId));

    [Fact]
    public async Task JavaStep_RealJar_MainClassFromManifestOrArgument_RunsOnTheJvm()
    {
        var jar = BuildJar(server.NewSharedDirectory());
        ClusterInfo cluster = await Client.CreateClusterAsync(StepTests.ThreeNodes("java").KeepAlive()
            .AddStep(StepBuilder.JarStep("manifest", jar, arguments: ["a", "b c"]))
            .AddStep(StepBuilder.CreateStep(StepBuilder.JavaStepProperties("file://" + jar, "Other", ["x"]), "explicit"))
            .AddStep(StepBuilder.JarStep("fails", jar, mainClass: "Other"))
            .Build());
        var steps = (await Client.ListStepsAsync(cluster.Id).ToListAsync()).ToDictionary(s => s.Name);

        var manifest = await Client.WaitForStepAsync(cluster.Id, steps["manifest"].Id, ServerFixture.Fast);
        var explicitMain = await Client.WaitForStepAsync(cluster.Id, steps["explicit"].Id, ServerFixture.Fast);
        var fails = await Client.WaitForStepAsync(cluster.Id, steps["fails"].Id, ServerFixture.Fast);

        Assert.Equal(StepStates.Completed, manifest.State);
        Assert.Equal("hello from java: a,b c\n", await StdoutAsync(cluster.Id, manifest.Id));
        Assert.Equal(StepStates.Completed, explicitMain.State);
        Assert.Equal("other main, 1 args\n", await StdoutAsync(cluster.Id, explicitMain.Id));
        Assert.Equal(StepStates.Failed, fails.State);
        Assert.Contains("exited with code 5", fails.FailureDetails?.Message, StringComparison.Ordinal);
        await Client.TerminateClusterAsync(cluster.Id);
    }

    [Fact]
    public async Task JavaStep_JarWithoutMainClassInManifestOrRequest_IsMissingParameter()
    {
        var directory = server.NewSharedDirectory();
        BuildJar(directory);
        var plain = Path.Combine(directory, "plain.jar");
        Run(directory, "jar", "--create", "--file", "plain.jar", "-C", "classes", ".");
        ClusterInfo cluster = await Client.CreateClusterAsync(StepTests.ThreeNodes("java-no-main").KeepAlive().Build());

        var error = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.AddStepsAsync(cluster.Id, [StepBuilder.JarStep("no-main", plain)]));

        Assert.Equal(ErrorCodes.MissingParameter, error.ErrorCode);
        Assert.Contains("mainClass", error.Message, StringComparison.Ordinal);
        Assert.Contains("Main-Class", error.Message, StringComparison.Ordinal);
        await Client.TerminateClusterAsync(cluster.Id);
    }

    [Fact]
    public async Task ApplicationSteps_HandTheirLauncherTheExactArgv()
    {
        var shared = server.NewSharedDirectory();
        var script = Path.Combine(shared, "query.hql");
        var pigScript = Path.Combine(shared, "load.pig");
        var input = Path.Combine(shared, "in");
        var jar = Path.Combine(shared, "app.jar");
        File.WriteAllText(script, "SELECT 1;");
        File.WriteAllText(pigScript, "A = LOAD '$INPUT';");
        File.WriteAllText(jar, "not really a jar: the recording launcher does not read it");
        Directory.CreateDirectory(input);
        var spark = StepBuilder.SparkStepProperties(jar, "org.example.App", ["--rows", "10"], ["--verbose"]);
        spark.Properties.Jars = [jar];
        spark.Properties.DriverMemory = "1g";
        spark.Properties.ExecutorMemory = "2g";
        spark.Properties.ExecutorCores = 2;
        spark.Properties.Configuration = new() { ["spark.b"] = "2", ["spark.a"] = "1" };
        ClusterInfo cluster = await Client.CreateClusterAsync(StepTests.ThreeNodes("apps").KeepAlive()
            .AddApplication("hadoop", "3.3.6").AddApplication("hive").AddApplication("pig").AddApplication("spark", "3.5")
            .AddStep(StepBuilder.CreateStep(StepBuilder.HiveStepProperties(script, ["--hivevar", "DAY=1"], input, Path.Combine(shared, "hive-out")), "hive"))
            .AddStep(StepBuilder.CreateStep(StepBuilder.PigStepProperties("file://" + pigScript, ["-useHCatalog"], input, Path.Combine(shared, "pig-out")), "pig"))
            .AddStep(StepBuilder.CreateStep(spark, "spark"))
            .AddStep(StepBuilder.JarStep("hadoop-jar", jar, "org.example.Job", arguments: ["in", "out"]))
            .Build());
        Assert.Equal(["hadoop", "hive", "pig", "spark"], cluster.Applications.Select(a => a.Name));
        var steps = (await Client.ListStepsAsync(cluster.Id).ToListAsync()).ToDictionary(s => s.Name);
        foreach (var step in steps.Values)
        {
            Assert.Equal(StepStates.Completed, (await Client.WaitForStepAsync(cluster.Id, step.Id, ServerFixture.Fast)).State);
        }

        Assert.Equal(["hive", "-f", script, "-d", $"INPUT={input}", "-d", $"OUTPUT={shared}/hive-out", "--hivevar", "DAY=1"], Argv(steps["hive"].Id));
        Assert.Equal(["pig", "-p", $"INPUT={input}", "-p", $"OUTPUT={shared}/pig-out", "-useHCatalog", "-f", pigScript], Argv(steps["pig"].Id));
        Assert.Equal(["spark-submit", "--class", "org.example.App", "--jars", jar, "--driver-memory", "1g", "--executor-memory", "2g",
            "--executor-cores", "2", "--conf", "spark.a=1", "--conf", "spark.b=2", "--verbose", jar, "--rows", "10"], Argv(steps["spark"].Id));
        Assert.Equal(["hadoop", "jar", jar, "org.example.Job", "in", "out"], Argv(steps["hadoop-jar"].Id));
        Assert.Equal("hive ran with 8 arguments\n", await StdoutAsync(cluster.Id, steps["hive"].Id));
        await Client.TerminateClusterAsync(cluster.Id);
    }

    [Fact]
    public async Task CreateCluster_ApplicationWithoutLauncher_FailsAtOnce_NamingItAndHowToRegister()
    {
        var error = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.CreateClusterAsync(StepTests.ThreeNodes("no-hbase")
            .AddApplication("hive").AddApplication("hue", "2.5").Build()));
        var version = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.CreateClusterAsync(StepTests.ThreeNodes("no-hbase")
            .AddApplication("impala").Build()));

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(ErrorCodes.ApplicationNotAvailable, error.ErrorCode);
        Assert.Contains("applications[1]", error.Message, StringComparison.Ordinal);
        Assert.Contains("'hue:2.5'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Sluice:Applications:hue:Command", error.Message, StringComparison.Ordinal);
        Assert.Contains("'impala'", version.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(await Client.ListClustersAsync().ToListAsync(), c => c.Name == "no-hbase");
    }

    [Theory]
    [InlineData("Hive", "hive")]
    [InlineData("Pig", "pig")]
    [InlineData("Spark", "spark")]
    public async Task ApplicationStep_OnAClusterWithoutTheApplication_IsRefused(string type, string application)
    {
        var script = Path.Combine(server.NewSharedDirectory(), "script");
        File.WriteAllText(script, "-- nothing");
        ClusterInfo cluster = await Client.CreateClusterAsync(StepTests.ThreeNodes("without-" + application).KeepAlive().Build());

        var error = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.AddStepsAsync(cluster.Id,
            [new StepConfig { Name = "x", Type = type, Properties = new StepProperties { Script = script, Jar = script } }]));

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(ErrorCodes.ApplicationNotInstalled, error.ErrorCode);
        Assert.Contains($"'{application}'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"--application {application}", error.Message, StringComparison.Ordinal);
        Assert.Empty(await Client.ListStepsAsync(cluster.Id).ToListAsync());
        await Client.TerminateClusterAsync(cluster.Id);
    }
}
