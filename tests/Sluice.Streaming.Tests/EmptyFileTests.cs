namespace Sluice.Streaming.Tests;

public sealed class EmptyFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void OpenWrite_NoFile_CreatesIt()
    {
        var path = _dir.Combine("new.txt");

        using (var stream = EmptyFile.OpenWrite(path, FileShare.None, 4096))
        {
            stream.Write("fresh"u8);
        }

        Assert.Equal("fresh", File.ReadAllText(path));
    }

    [Fact]
    public void OpenWrite_LongerFileThere_LeavesNoneOfItsBytes()
    {
        var path = _dir.File("old.txt", "an old and much longer content");

        using (var stream = EmptyFile.OpenWrite(path, FileShare.None, 4096))
        {
            Assert.Equal(0, stream.Length);
            stream.Write("new"u8);
        }

        Assert.Equal("new", File.ReadAllText(path));
    }

    [Fact]
    public void OpenWrite_FileOpenedWithoutSharing_ThrowsAndLeavesItsBytes()
    {
        var path = _dir.File("busy.txt", "being written");
        using var writer = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None);

        Assert.ThrowsAny<IOException>(() => EmptyFile.OpenWrite(path, FileShare.None, 4096));

        writer.Dispose();
        Assert.Equal("being written", File.ReadAllText(path));
    }

    [Fact]
    public void OpenWriteHandle_LongerFileThere_EmptiesIt()
    {
        var path = _dir.File("log.txt", "the previous attempt's output");

        using (var handle = EmptyFile.OpenWriteHandle(path, FileShare.ReadWrite))
        {
            RandomAccess.Write(handle, "ok"u8, 0);
        }

        Assert.Equal("ok", File.ReadAllText(path));
    }

    [Fact]
    public void OpenWriteHandle_Device_OpensWithoutReplacingIt()
    {
        using var handle = EmptyFile.OpenWriteHandle("/dev/null", FileShare.ReadWrite);

        RandomAccess.Write(handle, "dropped"u8, 0);
        Assert.Empty(File.ReadAllBytes("/dev/null")); // still the device: a regular file in its place would read "dropped"
    }
}
