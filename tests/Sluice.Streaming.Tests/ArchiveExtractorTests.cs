using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Sluice.Streaming.Tests;

/// <summary>
/// Issue #15, item 4: archives that try to create, overwrite or read anything outside the folder they are unpacked
/// into. The destination lies three folders deep in a scratch folder, so an escape lands in the scratch folder, where
/// every test looks for it.
/// </summary>
public sealed class ArchiveExtractorTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _destination;

    public ArchiveExtractorTests()
    {
        _destination = _dir.Combine(Path.Combine("x", "y", "dest"));
        Directory.CreateDirectory(Path.GetDirectoryName(_destination)!);
        _dir.File("secret", "outside the destination");
    }

    public void Dispose() => _dir.Dispose();

    private static CancellationToken Ct => CancellationToken.None;

    private static TarEntry File(string name, string text = "data", UnixFileMode mode = (UnixFileMode)0x1A4) =>
        new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)), Mode = mode };

    private static TarEntry Folder(string name) => new PaxTarEntry(TarEntryType.Directory, name) { Mode = (UnixFileMode)0x1ED };

    private static TarEntry Link(string name, string target) => new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target };

    private static MemoryStream Tar(params TarEntry[] entries)
    {
        var output = new MemoryStream();
        using (var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                tar.WriteEntry(entry);
            }
        }
        output.Position = 0;
        return output;
    }

    private static MemoryStream TarGz(params TarEntry[] entries)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            Tar(entries).CopyTo(gzip);
        }
        output.Position = 0;
        return output;
    }

    /// <summary>A zip entry with Unix type and permission bits (<paramref name="mode"/>, as <c>zip -y</c> stores them); 0: none.</summary>
    private static MemoryStream Zip(params (string Name, string Content, int Mode)[] entries)
    {
        var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content, mode) in entries)
            {
                var entry = zip.CreateEntry(name);
                entry.ExternalAttributes = mode << 16;
                using var stream = entry.Open();
                stream.Write(Encoding.UTF8.GetBytes(content));
            }
        }
        output.Position = 0;
        return output;
    }

    private async Task<InvalidDataException> RefusedTarAsync(params TarEntry[] entries) =>
        await Assert.ThrowsAsync<InvalidDataException>(() => ArchiveExtractor.ExtractTarAsync(Tar(entries), _destination, Ct));

    /// <summary>Nothing but the scratch folder's own files outside the destination, and no destination left behind.</summary>
    private void AssertNothingOutsideAndNothingLeft()
    {
        var expected = new[] { "secret", "x", Path.Combine("x", "y") };
        var found = Directory.EnumerateFileSystemEntries(_dir.Path, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(_dir.Path, p)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected.Order(StringComparer.Ordinal), found);
        Assert.Equal("outside the destination", System.IO.File.ReadAllText(_dir.Combine("secret")));
    }

    [Fact]
    public async Task ExtractTarAsync_SymlinkChainLeadingOut_IsRefusedNamingTheEntryAndWritesNothingOutside()
    {
        // The measured attack: a deep folder, a link '../..' in it, a second link made through the first that climbs
        // out, and a file written through the second.
        using var archive = TarGz(
            Folder("d1/d2/d3/d4/"),
            Link("d1/d2/d3/d4/up", "../.."),
            Link("d1/d2/d3/d4/up/out", "../../../.."),
            File("d1/d2/d3/d4/up/out/pwned", "owned"));
        using var gzip = new GZipStream(archive, CompressionMode.Decompress);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ArchiveExtractor.ExtractTarAsync(gzip, _destination, Ct));

        Assert.Contains("'d1/d2/d3/d4/up/out'", error.Message, StringComparison.Ordinal);
        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        AssertNothingOutsideAndNothingLeft();
    }

    [Theory]
    [InlineData("../pwned")]
    [InlineData("a/../../pwned")]
    [InlineData("a/b/../../../../pwned")]
    public async Task ExtractTarAsync_DotDotName_IsRefusedNamingTheEntry(string name)
    {
        var error = await RefusedTarAsync(File("ok.txt"), File(name, "owned"));

        Assert.Contains($"'{name}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'..'", error.Message, StringComparison.Ordinal);
        AssertNothingOutsideAndNothingLeft();
    }

    [Fact]
    public async Task ExtractTarAsync_AbsoluteName_IsRefused()
    {
        var target = _dir.Combine("pwned");

        var error = await RefusedTarAsync(File(target, "owned"));

        Assert.Contains("absolute name", error.Message, StringComparison.Ordinal);
        AssertNothingOutsideAndNothingLeft();
    }

    [Fact]
    public async Task ExtractTarAsync_HardLink_IsRefusedEvenToAFileInside()
    {
        var error = await RefusedTarAsync(File("a.txt"), new PaxTarEntry(TarEntryType.HardLink, "b.txt") { LinkName = "a.txt" });

        Assert.Contains("'b.txt' is a hard link", error.Message, StringComparison.Ordinal);
        AssertNothingOutsideAndNothingLeft();
    }

    [Fact]
    public async Task ExtractTarAsync_HardLinkToAnOutsideFile_IsRefused()
    {
        var error = await RefusedTarAsync(new PaxTarEntry(TarEntryType.HardLink, "s") { LinkName = _dir.Combine("secret") });

        Assert.Contains("'s' is a hard link", error.Message, StringComparison.Ordinal);
        AssertNothingOutsideAndNothingLeft();
    }

    [Theory]
    [InlineData("x", "../../../../etc/shadow")]
    [InlineData("a/b/x", "../../../secret")]
    [InlineData("x", "/etc/shadow")]
    public async Task ExtractTarAsync_LinkLeadingOutside_IsRefusedSoNoTaskCanReadThroughIt(string name, string target)
    {
        var error = await RefusedTarAsync(Folder("a/b/"), Link(name, target));

        Assert.Contains($"'{name}' is a symbolic link", error.Message, StringComparison.Ordinal);
        AssertNothingOutsideAndNothingLeft();
    }

    [Fact]
    public async Task ExtractTarAsync_FileWrittenThroughAnInsideLink_IsRefused()
    {
        var error = await RefusedTarAsync(Folder("real/"), Link("alias", "real"), File("alias/f.txt"));

        Assert.Contains("'alias/f.txt' lies under 'alias', a symbolic link", error.Message, StringComparison.Ordinal);
        AssertNothingOutsideAndNothingLeft();
    }

    [Fact]
    public async Task ExtractTarAsync_LinkThatALaterLinkTurnsOutward_IsRefused()
    {
        // By name 'l1/..' is the destination itself; once 'l1 -> .' exists it is the destination's parent.
        var error = await RefusedTarAsync(Link("l2", "l1/.."), Link("l1", "."));

        Assert.Contains("'l2' is a symbolic link to 'l1/..'", error.Message, StringComparison.Ordinal);
        AssertNothingOutsideAndNothingLeft();
    }

    [Fact]
    public async Task ExtractTarAsync_LinkReplacedByAFileOfTheSameName_WritesTheFileNotTheTarget()
    {
        await ArchiveExtractor.ExtractTarAsync(Tar(File("target.txt", "kept"), Link("name", "target.txt"), File("name", "new")), _destination, Ct);

        Assert.Equal("kept", System.IO.File.ReadAllText(Path.Combine(_destination, "target.txt")));
        Assert.Null(new FileInfo(Path.Combine(_destination, "name")).LinkTarget);
        Assert.Equal("new", System.IO.File.ReadAllText(Path.Combine(_destination, "name")));
    }

    [Theory]
    [InlineData(TarEntryType.CharacterDevice, "character device")]
    [InlineData(TarEntryType.BlockDevice, "block device")]
    [InlineData(TarEntryType.Fifo, "fifo")]
    public async Task ExtractTarAsync_DeviceOrFifo_IsRefused(TarEntryType type, string what)
    {
        var error = await RefusedTarAsync(File("ok.txt"), new PaxTarEntry(type, "dev"));

        Assert.Contains($"'dev' is a {what}", error.Message, StringComparison.Ordinal);
        AssertNothingOutsideAndNothingLeft();
    }

    [Fact]
    public async Task ExtractTarAsync_EntryUnderAFile_IsRefused()
    {
        var error = await RefusedTarAsync(File("a"), File("a/b"));

        Assert.Contains("'a/b' lies under 'a', which is a file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractTarAsync_NonEmptyDestination_IsRefusedAndLeftAsItWas()
    {
        Directory.CreateDirectory(_destination);
        System.IO.File.WriteAllText(Path.Combine(_destination, "mine"), "keep");

        await Assert.ThrowsAsync<IOException>(() => ArchiveExtractor.ExtractTarAsync(Tar(File("a")), _destination, Ct));

        Assert.Equal("keep", System.IO.File.ReadAllText(Path.Combine(_destination, "mine")));
    }

    [Fact]
    public async Task ExtractTarAsync_InsideLinksFilesAndModes_AreKept()
    {
        await ArchiveExtractor.ExtractTarAsync(Tar(
            Folder("./"),
            File("./lib/v1/real.txt", "content"),
            File("bin/run.sh", "#!/bin/sh\n", (UnixFileMode)0xFED), // rwsr-xr-x plus sticky: set-id and sticky dropped
            Link("lib/v1/alias.txt", "real.txt"),
            Link("current", "lib/v1"),
            Link("bin/up", "../lib/./v1/../v1/real.txt")), _destination, Ct);

        Assert.Equal("content", System.IO.File.ReadAllText(Path.Combine(_destination, "lib", "v1", "alias.txt")));
        Assert.Equal("content", System.IO.File.ReadAllText(Path.Combine(_destination, "current", "real.txt")));
        Assert.Equal("content", System.IO.File.ReadAllText(Path.Combine(_destination, "bin", "up")));
        Assert.Equal("lib/v1", new DirectoryInfo(Path.Combine(_destination, "current")).LinkTarget);
        var mode = System.IO.File.GetUnixFileMode(Path.Combine(_destination, "bin", "run.sh"));
        Assert.True(mode.HasFlag(UnixFileMode.UserExecute));
        Assert.False(mode.HasFlag(UnixFileMode.SetUser) || mode.HasFlag(UnixFileMode.StickyBit));
    }

    [Fact]
    public async Task ExtractZipAsync_DotDotName_IsRefusedNamingTheEntry()
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ArchiveExtractor.ExtractZipAsync(Zip(("ok.txt", "x", 0), ("../../pwned", "owned", 0)), _destination, Ct));

        Assert.Contains("'../../pwned'", error.Message, StringComparison.Ordinal);
        AssertNothingOutsideAndNothingLeft();
    }

    [Fact]
    public async Task ExtractZipAsync_BackslashDotDotName_IsRefused()
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ArchiveExtractor.ExtractZipAsync(Zip(("..\\..\\pwned", "owned", 0)), _destination, Ct));

        Assert.Contains("'..'", error.Message, StringComparison.Ordinal);
        AssertNothingOutsideAndNothingLeft();
    }

    [Fact]
    public async Task ExtractZipAsync_AbsoluteName_IsRefused()
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ArchiveExtractor.ExtractZipAsync(Zip((_dir.Combine("pwned"), "owned", 0)), _destination, Ct));

        Assert.Contains("absolute name", error.Message, StringComparison.Ordinal);
        AssertNothingOutsideAndNothingLeft();
    }

    [Fact]
    public async Task ExtractZipAsync_SymlinkLeadingOutside_IsRefused()
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ArchiveExtractor.ExtractZipAsync(Zip(("x", "../../../secret", 0xA1FF)), _destination, Ct));

        Assert.Contains("'x' is a symbolic link to '../../../secret'", error.Message, StringComparison.Ordinal);
        AssertNothingOutsideAndNothingLeft();
    }

    [Fact]
    public async Task ExtractZipAsync_FileWrittenThroughALink_IsRefused()
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            ArchiveExtractor.ExtractZipAsync(Zip(("d/", "", 0x41ED), ("l", "d", 0xA1FF), ("l/f", "owned", 0x81A4)), _destination, Ct));

        Assert.Contains("'l/f' lies under 'l', a symbolic link", error.Message, StringComparison.Ordinal);
        AssertNothingOutsideAndNothingLeft();
    }

    [Fact]
    public async Task ExtractZipAsync_Fifo_IsRefused()
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ArchiveExtractor.ExtractZipAsync(Zip(("p", "", 0x11A4)), _destination, Ct));

        Assert.Contains("'p' is a fifo", error.Message, StringComparison.Ordinal);
        AssertNothingOutsideAndNothingLeft();
    }

    [Fact]
    public async Task ExtractZipAsync_InsideSymlinkAndExecutableFile_AreKept()
    {
        await ArchiveExtractor.ExtractZipAsync(Zip(("bin/", "", 0), ("bin/tool", "#!/bin/sh\n", 0x81ED), ("tool", "bin/tool", 0xA1FF), ("plain.txt", "p", 0)), _destination, Ct);

        Assert.Equal("bin/tool", new FileInfo(Path.Combine(_destination, "tool")).LinkTarget);
        Assert.Equal("#!/bin/sh\n", System.IO.File.ReadAllText(Path.Combine(_destination, "tool")));
        Assert.True(System.IO.File.GetUnixFileMode(Path.Combine(_destination, "bin", "tool")).HasFlag(UnixFileMode.UserExecute));
        Assert.Equal("p", System.IO.File.ReadAllText(Path.Combine(_destination, "plain.txt")));
    }
}
