namespace Sluice.Streaming.Internal;

/// <summary>A forward-only sequence of key/value records; spans are valid until the next <see cref="MoveNext"/>.</summary>
internal abstract class RecordSource : IDisposable
{
    public abstract bool MoveNext();

    public abstract ReadOnlySpan<byte> Key { get; }

    public abstract ReadOnlySpan<byte> Value { get; }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
