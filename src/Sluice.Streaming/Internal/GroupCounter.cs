using System.Runtime.CompilerServices;
namespace Sluice.Streaming.Internal;

/// <summary>Counts key groups in a sorted stream (keys equal under the job's comparator form one group).</summary>
internal sealed class GroupCounter(KeyComparer comparer)
{
    private byte[] _previous = new byte[256];
    private int _previousLength = -1;

    public long Groups { get; private set; }

    public long Records { get; private set; }

    /// <summary>Call once per record in order; true when the record starts a new group.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool IsNewGroup(ReadOnlySpan<byte> key)
    {
        Records++;
        if (_previousLength >= 0 && comparer.Compare(_previous.AsSpan(0, _previousLength), key) == 0)
        {
            return false;
        }
        if (key.Length > _previous.Length)
        {
            _previous = new byte[Math.Max(key.Length, _previous.Length * 2)];
        }
        key.CopyTo(_previous);
        _previousLength = key.Length;
        Groups++;
        return true;
    }
}
