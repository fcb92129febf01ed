using Sluice.Core.ObjectStorage;

namespace Sluice.Core.Tests.ObjectStorage;

public sealed class KernelFileCopyTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private string Dir => _temp.Path;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void TryCopy_FromTheMiddleOfAFile_CopiesTheRestAfterWhatTheDestinationHoldsAndAdvancesBoth()
    {
        var data = new byte[3 << 20];
        Random.Shared.NextBytes(data);
        File.WriteAllBytes(Path.Combine(Dir, "source"), data);
        bool copied;
        using (var source = new FileStream(Path.Combine(Dir, "source"), FileMode.Open, FileAccess.Read, FileShare.Read, 4096))
        using (var destination = new FileStream(Path.Combine(Dir, "copy"), FileMode.Create, FileAccess.Write, FileShare.None, 4096))
        {
            source.Position = 1000;
            destination.Write("head"u8); // still in the stream's buffer: it must land before the copy

            copied = KernelFileCopy.TryCopy(source, destination);

            Assert.Equal(data.Length, source.Position);
            Assert.Equal(4 + data.Length - 1000, destination.Position);
            destination.Write("tail"u8);
        }

        Assert.True(copied);
        Assert.Equal([.. "head"u8, .. data[1000..], .. "tail"u8], File.ReadAllBytes(Path.Combine(Dir, "copy")));
    }

    [Fact]
    public void TryCopy_SourceNotSeekable_ReturnsFalseAndCopiesNothing()
    {
        using var source = new FileStream("/dev/zero", FileMode.Open, FileAccess.Read);
        using var destination = new FileStream(Path.Combine(Dir, "copy"), FileMode.Create, FileAccess.Write);

        Assert.False(KernelFileCopy.TryCopy(source, destination));
        Assert.Equal(0, destination.Length);
    }
}
