using System.Text;

namespace Sluice.Streaming.Internal;

/// <summary>
/// Orders map output keys. The default is unsigned byte order (what <c>LC_ALL=C sort</c> gives);
/// with comparator options it is Hadoop's KeyFieldBasedComparator.
/// </summary>
internal class KeyComparer
{
    public static readonly KeyComparer Ordinal = new();

    /// <summary>True when keys compare as raw bytes, which lets the sort use 8-byte prefixes.</summary>
    public virtual bool IsOrdinal => true;

    public virtual int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => a.SequenceCompareTo(b);

    public static KeyComparer Create(StreamingTaskSettings settings)
    {
        var specs = KeyFieldSpec.Parse(settings.ComparatorOptions);
        return specs.Count == 0 ? Ordinal : new KeyFieldComparer(specs, Encoding.UTF8.GetBytes(settings.KeyFieldSeparator));
    }
}
