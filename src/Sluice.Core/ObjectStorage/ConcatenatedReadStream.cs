namespace Sluice.Core.ObjectStorage;

/// <summary>Reads the first stream to its end, then the second; owns both.</summary>
internal sealed class ConcatenatedReadStream(Stream first, Stream second) : ReadOnlyWrapperStream(first)
{
    private bool _onSecond;

    public override int Read(Span<byte> buffer)
    {
        var read = _onSecond ? 0 : Inner.Read(buffer);
        if (read > 0 || buffer.Length == 0)
        {
            return read;
        }
        _onSecond = true;
        return second.Read(buffer);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = _onSecond ? 0 : await Inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read > 0 || buffer.Length == 0)
        {
            return read;
        }
        _onSecond = true;
        return await second.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            second.Dispose();
        }
        base.Dispose(disposing);
    }
}
