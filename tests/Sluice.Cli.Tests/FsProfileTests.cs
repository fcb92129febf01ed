using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Cli.Tests;

/// <summary>
/// Issue #19: `sluice fs` without --data used ~/.sluice/data even when `sluice up` served another data directory, so
/// an object copied in was not the one the server's jobs read. `sluice up` now records its stores in the profile.
/// </summary>
public sealed class FsProfileTests : IDisposable
{
    private static readonly SluiceJsonContext Json = SluiceJsonContext.Default;
    private readonly string root = Directory.CreateTempSubdirectory("sluice-cli-fs-profile-").FullName;

    [Fact]
    public async Task FsCp_ServerOnAnotherDataDirectory_PutsTheObjectWhereTheServersStepReadsIt()
    {
        var home = Directory.CreateDirectory(Path.Combine(root, "home")).FullName;
        var data = Path.Combine(root, "elsewhere");
        var input = Path.Combine(root, "in.txt");
        await File.WriteAllTextAsync(input, "one line\n");
        await using var up = await UpProcess.StartAsync(home, data);
        var user = new CliEnvironment(home);

        (await Cli.RunAsync(user, "fs", "mb", "oss://shared")).ShouldExit(0);
        (await Cli.RunAsync(user, "fs", "cp", input, "oss://shared/in.txt")).ShouldExit(0);
        var cluster = (await Cli.RunAsync(user, "cluster", "create", "--name", "fs", "--group", "m:Master:g.small:1", "--keep-alive", "--wait", "-o", "json"))
            .ShouldExit(0).Json(Json.ClusterInfo).Id;
        var step = await Cli.RunAsync(user, "step", "add", cluster, "--type", "Streaming", "--input", "oss://shared/in.txt", "--output-path", "oss://shared/out",
            "--mapper", "cat", "--reducer", "NONE", "--wait");
        var listed = (await Cli.RunAsync(user, "fs", "ls", "-r", "oss://shared/out/")).ShouldExit(0);
        var part = listed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[^1]).First(u => u.Contains("/part-", StringComparison.Ordinal));
        var output = (await Cli.RunAsync(user, "fs", "cat", part)).ShouldExit(0);
        var defaultStore = await Cli.RunAsync(user, "fs", "ls", "oss://shared/", "--data", Path.Combine(home, ".sluice", "data"));

        step.ShouldExit(0);
        Assert.Equal("one line", output.Stdout.Trim());
        var profile = Path.Combine(home, ".sluice", "credentials");
        Assert.Equal(Path.GetFullPath(data), SluiceProfileFile.ReadSetting(profile, "local", "data_directory"));
        Assert.Equal(Path.Combine(Path.GetFullPath(data), "objects"), SluiceProfileFile.ReadSetting(profile, "local", "object_store_root"));
        Assert.True(File.Exists(Path.Combine(data, "objects", "shared", "in.txt")), "the object is not under the server's data directory");
        Assert.NotEqual(0, defaultStore.ExitCode);
        (await Cli.RunAsync(user, "cluster", "terminate", cluster)).ShouldExit(0);
        Assert.Equal(0, await up.InterruptAsync());
    }

    [Fact]
    public void ProfileFileWrite_SettingThatCouldBreakTheFile_IsRefused()
    {
        var path = Path.Combine(root, "credentials");
        var endpoint = new Uri("http://127.0.0.1:8780");

        Assert.Throws<ArgumentException>(() => SluiceProfileFile.Write(path, "p", endpoint, "AK", "SK", [new("data_directory", "a\nendpoint = http://evil")]));
        Assert.Throws<ArgumentException>(() => SluiceProfileFile.Write(path, "p", endpoint, "AK", "SK", [new("endpoint", "http://other")]));
        Assert.Throws<ArgumentException>(() => SluiceProfileFile.Write(path, "p", endpoint, "AK", "SK", [new("a=b", "c")]));
        Assert.False(File.Exists(path));
        SluiceProfileFile.Write(path, "p", endpoint, "AK", "SK", [new("data_directory", "/srv/sluice")]);
        Assert.Equal("/srv/sluice", SluiceProfileFile.ReadSetting(path, "p", "data_directory"));
        Assert.Equal("AK", SluiceCredentials.FromProfile("p", path).AccessKeyId);
        Assert.Null(SluiceProfileFile.ReadSetting(path, "other", "data_directory"));
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
    }
}
