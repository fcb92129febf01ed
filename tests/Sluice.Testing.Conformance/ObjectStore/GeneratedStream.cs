using Sluice.Core.ObjectStorage;

namespace Sluice.Testing.Conformance.ObjectStore;

/// <summary>
/// A non-seekable stream of deterministic pseudo-random bytes of a given length, so large objects can
/// be written without holding them in memory, and a store cannot cheat by asking for the length.
/// </summary>
public sealed class GeneratedStream(long length, int seed = 1) : ReadOnlyWrapperStream(Null)
{
    private long _position;
    private uint _state = (uint)seed * 2654435761u + 1;

    public override int Read(Span<byte> buffer)
    {
        var count = (int)Math.Min(buffer.Length, length - _position);
        for (var i = 0; i < count; i++)
        {
            // xorshift: cheap and never all-zero, so a truncated or zero-filled copy shows in the hash.
            _state ^= _state << 13;
            _state ^= _state >> 17;
            _state ^= _state << 5;
            buffer[i] = (byte)_state;
        }
        _position += count;
        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));
}
