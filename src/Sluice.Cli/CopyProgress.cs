using System.Globalization;

namespace Sluice.Cli;

/// <summary>
/// A one-line progress bar for a large copy: bytes so far, the total, a bar, and the mean rate, redrawn in place
/// (carriage return) at most every <see cref="Interval"/> and finished with a newline. Only shown on a terminal:
/// see <see cref="CliContext.ProgressWriter"/>.
/// </summary>
internal sealed class CopyProgress(TextWriter writer, string label, long? total, TimeProvider time)
{
    /// <summary>Copies smaller than this get no bar.</summary>
    public const long Threshold = 8L << 20;

    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private const int BarWidth = 24;

    private readonly long _started = time.GetTimestamp();
    private long _bytes;
    private long _lastDrawn = long.MinValue;
    private int _width;

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>A bar for a copy of <paramref name="size"/> bytes (null: unknown), or null when it is too small or nowhere to draw.</summary>
    public static CopyProgress? For(TextWriter? writer, string label, long? size, TimeProvider time) =>
        writer is not null && (size is null || size >= Threshold) ? new CopyProgress(writer, label, size, time) : null;

    public void Add(int count)
    {
        Interlocked.Add(ref _bytes, count);
        var now = time.GetTimestamp();
        if (_lastDrawn == long.MinValue || time.GetElapsedTime(_lastDrawn, now) >= Interval)
        {
            _lastDrawn = now;
            Draw(done: false);
        }
    }

    public void Complete() => Draw(done: true);

    /// <summary>The text of the line as it stands (without the carriage return).</summary>
    public string Line()
    {
        var bytes = Bytes;
        var seconds = Math.Max(time.GetElapsedTime(_started).TotalSeconds, 1e-3);
        var rate = $"{Size((long)(bytes / seconds))}/s";
        if (total is not { } size || size <= 0)
        {
            return $"{label}  {Size(bytes)}  {rate}";
        }
        var fraction = Math.Clamp((double)bytes / size, 0, 1);
        var filled = (int)Math.Round(fraction * BarWidth);
        return string.Create(CultureInfo.InvariantCulture,
            $"{label}  [{new string('#', filled)}{new string('.', BarWidth - filled)}] {fraction * 100,3:0}%  {Size(bytes)} / {Size(size)}  {rate}");
    }

    /// <summary>Binary units, one decimal: 512 B, 1.5 KiB, 12.0 MiB.</summary>
    public static string Size(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B") : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }

    private void Draw(bool done)
    {
        var line = Line();
        lock (writer)
        {
            // Pad over a longer previous line; the carriage return redraws in place.
            writer.Write('\r' + line.PadRight(_width));
            _width = line.Length;
            if (done)
            {
                writer.WriteLine();
            }
            writer.Flush();
        }
    }
}
