using System.Runtime.CompilerServices;
namespace Sluice.Streaming.Internal;

/// <summary>
/// Hadoop streaming's key/value split of an output line: the key ends at the Nth separator, the value is
/// the rest; with fewer separators the whole line is the key and the value is empty.
/// </summary>
internal readonly struct FieldSplitter(byte[] separator, int keyFields)
{
    public int SeparatorLength => separator.Length;

    /// <summary>Returns the key length; the value starts at key length + separator length, or -1 when absent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int KeyLength(ReadOnlySpan<byte> line, out int valueStart)
    {
        var pos = -1;
        var from = 0;
        for (var k = 0; k < keyFields; k++)
        {
            var found = separator.Length == 1 ? line[from..].IndexOf(separator[0]) : line[from..].IndexOf(separator);
            if (found < 0)
            {
                valueStart = -1;
                return line.Length;
            }
            pos = from + found;
            from = pos + separator.Length;
        }
        valueStart = from;
        return pos;
    }
}
