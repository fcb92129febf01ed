namespace Sluice.Cli.Tests;

/// <summary>The <c>fs cp</c> progress bar's line, drawn against a clock the test moves.</summary>
public sealed class CopyProgressTests
{
    private sealed class ManualClock : TimeProvider
    {
        public long Ticks { get; set; }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Ticks;
    }

    [Fact]
    public void Add_HalfOfAKnownSizeAfterTwoSeconds_DrawsBarPercentBytesAndRate()
    {
        var clock = new ManualClock();
        using var writer = new StringWriter();
        var progress = CopyProgress.For(writer, "big.bin", 64L << 20, clock)!;

        clock.Ticks = TimeSpan.FromSeconds(2).Ticks;
        progress.Add(32 << 20);
        progress.Complete();

        Assert.Equal("big.bin  [############............]  50%  32.0 MiB / 64.0 MiB  16.0 MiB/s", progress.Line());
        Assert.StartsWith("\rbig.bin  [", writer.ToString(), StringComparison.Ordinal);
        Assert.EndsWith(Environment.NewLine, writer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Add_ManyReadsWithinOneInterval_DrawsOnce()
    {
        var clock = new ManualClock();
        using var writer = new StringWriter();
        var progress = CopyProgress.For(writer, "x", null, clock)!;

        for (var i = 0; i < 100; i++)
        {
            progress.Add(1024);
        }

        Assert.Equal(1, writer.ToString().Count(c => c == '\r'));
        Assert.Equal(100 * 1024, progress.Bytes);
    }

    [Theory]
    [InlineData(1L << 20, false)]
    [InlineData(CopyProgress.Threshold, true)]
    public void For_SmallCopiesOrNoTerminal_GetNoBar(long size, bool shown)
    {
        using var writer = new StringWriter();

        Assert.Equal(shown, CopyProgress.For(writer, "f", size, TimeProvider.System) is not null);
        Assert.Null(CopyProgress.For(null, "f", size, TimeProvider.System));
    }

    [Theory]
    [InlineData(512, "512 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(3L << 30, "3.0 GiB")]
    public void Size_UsesBinaryUnits(long bytes, string text) => Assert.Equal(text, CopyProgress.Size(bytes));
}
