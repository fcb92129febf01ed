using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Microsoft.Extensions.Options;
using Sluice.Contracts;
using Sluice.Core.ObjectStorage;
using Sluice.Core.Packages;
using Sluice.Core.Tests.ObjectStorage;

namespace Sluice.Core.Tests.Packages;

/// <summary>Issue #15, item 4: a package unpacks inside its folder only, and its copy into a working directory never follows what is there.</summary>
public sealed class PackageCacheTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly ObjectStoreResolver _objects;
    private readonly PackageCache _cache;
    private readonly string _outside;

    public PackageCacheTests()
    {
        _objects = new ObjectStoreResolver([new LocalObjectStore(Path.Combine(_folder.Path, "objects"))], Options.Create(new ObjectStorageOptions()));
        _cache = new PackageCache(_objects, Options.Create(new SluiceOptions { DataDirectory = Path.Combine(_folder.Path, "data") }));
        _outside = Path.Combine(_folder.Path, "outside");
        Directory.CreateDirectory(_outside);
        File.WriteAllText(Path.Combine(_outside, "secret"), "host file");
    }

    public void Dispose() => _folder.Dispose();

    private static CancellationToken Ct => CancellationToken.None;

    private async Task<string> PutAsync(params TarEntry[] entries)
    {
        using var content = new MemoryStream();
        using (var gzip = new GZipStream(content, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                tar.WriteEntry(entry);
            }
        }
        content.Position = 0;
        var bucket = _objects.Resolve("oss://apps");
        await bucket.Store.CreateBucketAsync(bucket.Uri, Ct);
        var location = _objects.Resolve($"oss://apps/{Guid.NewGuid():N}.tar.gz");
        await location.Store.PutAsync(location.Uri, content, Ct);
        return location.Uri.ToString();
    }

    private static PaxTarEntry Text(string name, string text) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)), Mode = (UnixFileMode)0x1A4 };

    private static PaxTarEntry Link(string name, string target) => new(TarEntryType.SymbolicLink, name) { LinkName = target };

    [Fact]
    public async Task GetAsync_SymlinkChainPackage_IsPackageUnavailableNamingUriAndEntry()
    {
        var uri = await PutAsync(
            new PaxTarEntry(TarEntryType.Directory, "a/b/c/"),
            Link("a/b/c/up", "../.."),
            Link("a/b/c/up/out", "../../../../../.."),
            Text("a/b/c/up/out/pwned", "owned"));

        var error = await Assert.ThrowsAsync<ServiceException>(() => _cache.GetAsync(uri, Ct));

        Assert.Equal(ErrorCodes.PackageUnavailable, error.Code);
        Assert.Contains(uri, error.Message, StringComparison.Ordinal);
        Assert.Contains("entry 'a/b/c/up/out'", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder.Path, "pwned", SearchOption.AllDirectories));
        // Nothing partly unpacked stays in the cache.
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_folder.Path, "data", "packages")));
    }

    [Fact]
    public async Task UnpackIntoAsync_WorkingDirectoryWithPlantedLinks_ReplacesThemAndWritesNothingOutside()
    {
        var uri = await PutAsync(Text("conf/settings.txt", "x=1"), Text("secret", "package's own"), Link("latest", "conf/settings.txt"));
        var work = Path.Combine(_folder.Path, "work");
        Directory.CreateDirectory(work);
        // What an earlier attempt could leave in a slot that is not emptied: links and a hard link to host files.
        File.CreateSymbolicLink(Path.Combine(work, "conf"), _outside);
        File.CreateSymbolicLink(Path.Combine(work, "latest"), Path.Combine(_outside, "secret"));
        using (var ln = System.Diagnostics.Process.Start("ln", [Path.Combine(_outside, "secret"), Path.Combine(work, "secret")]))
        {
            await ln.WaitForExitAsync(Ct);
            Assert.Equal(0, ln.ExitCode);
        }

        await _cache.UnpackIntoAsync(uri, work, Ct);

        Assert.Equal("host file", File.ReadAllText(Path.Combine(_outside, "secret")));
        Assert.False(File.Exists(Path.Combine(_outside, "settings.txt")));
        Assert.Null(new DirectoryInfo(Path.Combine(work, "conf")).LinkTarget);
        Assert.Equal("x=1", File.ReadAllText(Path.Combine(work, "conf", "settings.txt")));
        Assert.Equal("package's own", File.ReadAllText(Path.Combine(work, "secret")));
        Assert.Equal("conf/settings.txt", new FileInfo(Path.Combine(work, "latest")).LinkTarget);
    }
}
