using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Client;
using Sluice.Contracts;
using Sluice.Core.ObjectStorage;

namespace Sluice.Server.Tests;

[Collection(ServerCollection.Name)]
public class PackageTests(ServerFixture server)
{
    private SluiceClient Client => server.Client;

    private async Task<string> PutAsync(string key, byte[] content)
    {
        var objects = server.App.Services.GetRequiredService<ObjectStoreResolver>();
        var bucket = objects.Resolve("oss://packages-test");
        await bucket.Store.CreateBucketAsync(bucket.Uri, CancellationToken.None);
        var location = objects.Resolve($"oss://packages-test/{key}");
        using var stream = new MemoryStream(content);
        await location.Store.PutAsync(location.Uri, stream, CancellationToken.None);
        return location.Uri.ToString();
    }

    private static byte[] TarGz(params (string Name, string Text)[] files)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, text) in files)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) });
            }
        }
        return output.ToArray();
    }

    private static byte[] TarGz(params TarEntry[] entries)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                tar.WriteEntry(entry);
            }
        }
        return output.ToArray();
    }

    private static PaxTarEntry Link(string name, string target) => new(TarEntryType.SymbolicLink, name) { LinkName = target };

    private static byte[] Zip(params (string Name, string Text)[] files)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, text) in files)
            {
                using var entry = zip.CreateEntry(name).Open();
                entry.Write(Encoding.UTF8.GetBytes(text));
            }
        }
        return output.ToArray();
    }

    private async Task<JobCompletion> RunAsync(string package, string command, int instances = 1)
    {
        JobInfo job = await Client.CreateJobAsync(new JobRequestBuilder().WithName("pkg").OnCluster(server.SharedClusterId)
            .AddTask("run", command, instances, t => t.WithPackage(package)).Build());
        return await Client.WaitForJobAsync(job.Id, ServerFixture.Fast);
    }

    private async Task<string> StdoutAsync(string jobId, int index)
    {
        LogChunk chunk = await Client.ReadLogAsync(jobId, "run", index);
        return Encoding.UTF8.GetString(chunk.Data.Span);
    }

    [Fact]
    public async Task TarGzPackage_IsUnpackedIntoEveryInstanceWorkingDirectory()
    {
        var package = await PutAsync($"apps/{Guid.NewGuid():N}.tar.gz", TarGz(("run.sh", "echo from package $SLUICE_INSTANCE_INDEX; cat conf/settings.txt\n"), ("conf/settings.txt", "x=1\n")));

        JobCompletion done = await RunAsync(package, "sh run.sh", instances: 3);

        Assert.Equal(JobStates.Finished, done.Job.State);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal($"from package {i}\nx=1\n", await StdoutAsync(done.Job.Id, i));
        }
    }

    [Fact]
    public async Task ZipPackage_IsUnpackedIntoTheWorkingDirectory()
    {
        var package = await PutAsync($"apps/{Guid.NewGuid():N}.zip", Zip(("bin/hello.py", "print('hello from zip')\n")));

        JobCompletion done = await RunAsync(package, "python3 bin/hello.py");

        Assert.Equal(JobStates.Finished, done.Job.State);
        Assert.Equal("hello from zip\n", await StdoutAsync(done.Job.Id, 0));
    }

    [Fact]
    public async Task MissingPackage_InstanceFailsWithPackageUnavailableNamingTheUri()
    {
        JobCompletion done = await RunAsync("oss://packages-test/apps/missing.tar.gz", "true");

        Assert.Equal(JobStates.Failed, done.Job.State);
        InstanceInfo instance = await Client.GetInstanceAsync(done.Job.Id, "run", 0);
        Assert.Equal("PackageUnavailable", instance.ErrorCode);
        Assert.Contains("oss://packages-test/apps/missing.tar.gz", instance.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CorruptArchive_InstanceFailsWithPackageUnavailable()
    {
        var package = await PutAsync($"apps/{Guid.NewGuid():N}.tar.gz", [0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

        JobCompletion done = await RunAsync(package, "true");

        InstanceInfo instance = await Client.GetInstanceAsync(done.Job.Id, "run", 0);
        Assert.Equal("PackageUnavailable", instance.ErrorCode);
        Assert.Contains("cannot be unpacked", instance.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotAnArchive_InstanceFailsWithPackageUnavailable()
    {
        var package = await PutAsync($"apps/{Guid.NewGuid():N}.tar.gz", Encoding.UTF8.GetBytes("#!/bin/sh\necho not an archive\n"));

        JobCompletion done = await RunAsync(package, "true");

        InstanceInfo instance = await Client.GetInstanceAsync(done.Job.Id, "run", 0);
        Assert.Equal("PackageUnavailable", instance.ErrorCode);
        Assert.Contains("neither a tar.gz nor a zip", instance.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ArchiveEntryEscapingTheDirectory_IsRefusedAndWritesNothingOutside()
    {
        var marker = $"escaped-{Guid.NewGuid():N}";
        var package = await PutAsync($"apps/{Guid.NewGuid():N}.tar.gz", TarGz(("ok.txt", "fine"), ($"../../{marker}", "owned")));

        JobCompletion done = await RunAsync(package, "true");

        InstanceInfo instance = await Client.GetInstanceAsync(done.Job.Id, "run", 0);
        Assert.Equal("PackageUnavailable", instance.ErrorCode);
        Assert.Empty(Directory.GetFiles(server.DataDirectory, marker, SearchOption.AllDirectories));
    }

    [Fact]
    public async Task SamePackage_ManyInstances_IsUnpackedOnceInTheCache()
    {
        var key = $"apps/{Guid.NewGuid():N}.tar.gz";
        var package = await PutAsync(key, TarGz(("marker.txt", key)));
        var before = Directory.Exists(Path.Combine(server.DataDirectory, "packages")) ? Directory.GetDirectories(Path.Combine(server.DataDirectory, "packages")).Length : 0;

        JobCompletion done = await RunAsync(package, "cat marker.txt", instances: 4);

        Assert.Equal(JobStates.Finished, done.Job.State);
        Assert.Equal(before + 1, Directory.GetDirectories(Path.Combine(server.DataDirectory, "packages")).Length);
        Assert.Equal(key, await StdoutAsync(done.Job.Id, 3));
    }

    [Fact]
    public async Task SymlinkChainPackage_Issue15_FailsNamingTheEntryAndWritesNothingOutside()
    {
        var marker = $"escaped-{Guid.NewGuid():N}";
        var ups = string.Join('/', Enumerable.Repeat("..", 12));
        var package = await PutAsync($"apps/{Guid.NewGuid():N}.tar.gz", TarGz(
            new PaxTarEntry(TarEntryType.Directory, "d1/d2/d3/d4/"),
            Link("d1/d2/d3/d4/up", "../.."),
            Link("d1/d2/d3/d4/up/out", ups),
            new PaxTarEntry(TarEntryType.RegularFile, $"d1/d2/d3/d4/up/out/{marker}") { DataStream = new MemoryStream("owned"u8.ToArray()) }));

        JobCompletion done = await RunAsync(package, "true");

        Assert.Equal(JobStates.Failed, done.Job.State);
        InstanceInfo instance = await Client.GetInstanceAsync(done.Job.Id, "run", 0);
        Assert.Equal("PackageUnavailable", instance.ErrorCode);
        Assert.Contains(package, instance.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("entry 'd1/d2/d3/d4/up/out'", instance.ErrorMessage, StringComparison.Ordinal);
        // Twelve levels up from the cache's staging folder is the file system's root.
        Assert.False(File.Exists(Path.Combine(Path.GetPathRoot(server.DataDirectory)!, marker)));
        Assert.Empty(Directory.GetFiles(server.DataDirectory, marker, SearchOption.AllDirectories));
    }

    [Fact]
    public async Task PackageLinkToAnOutsideFile_Issue15_IsRefusedBeforeTheTaskCanReadIt()
    {
        var outside = Path.Combine(Path.GetDirectoryName(server.DataDirectory)!, $"outside-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(outside, "host secret");
        var relative = string.Join('/', Enumerable.Repeat("..", 20)) + outside;
        var package = await PutAsync($"apps/{Guid.NewGuid():N}.tar.gz", TarGz(Link("x", relative)));

        JobCompletion done = await RunAsync(package, "cat x");

        Assert.Equal(JobStates.Failed, done.Job.State);
        InstanceInfo instance = await Client.GetInstanceAsync(done.Job.Id, "run", 0);
        Assert.Equal("PackageUnavailable", instance.ErrorCode);
        Assert.Contains("entry 'x' is a symbolic link", instance.ErrorMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("host secret", await StdoutAsync(done.Job.Id, 0), StringComparison.Ordinal);
        File.Delete(outside);
    }

    [Fact]
    public async Task ZipPackageWithDotDotEntry_Issue15_IsRefusedNamingTheEntry()
    {
        var package = await PutAsync($"apps/{Guid.NewGuid():N}.zip", Zip(("ok.txt", "fine"), ("a/../../x.txt", "owned")));

        JobCompletion done = await RunAsync(package, "true");

        InstanceInfo instance = await Client.GetInstanceAsync(done.Job.Id, "run", 0);
        Assert.Equal("PackageUnavailable", instance.ErrorCode);
        Assert.Contains("entry 'a/../../x.txt'", instance.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PackageWithInsideSymlinks_IsUnpackedWithItsLinks()
    {
        var package = await PutAsync($"apps/{Guid.NewGuid():N}.tar.gz", TarGz(
            new PaxTarEntry(TarEntryType.RegularFile, "app/v2/settings.txt") { DataStream = new MemoryStream("v=2\n"u8.ToArray()) },
            Link("current", "app/v2"),
            Link("app/settings.txt", "v2/settings.txt")));

        JobCompletion done = await RunAsync(package, "cat current/settings.txt app/settings.txt; readlink current");

        Assert.Equal(JobStates.Finished, done.Job.State);
        Assert.Equal("v=2\nv=2\napp/v2\n", await StdoutAsync(done.Job.Id, 0));
    }
}
