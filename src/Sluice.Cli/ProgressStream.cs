using Sluice.Core.ObjectStorage;

namespace Sluice.Cli;

/// <summary>A read-only pass-through stream that tells a <see cref="CopyProgress"/> how many bytes went by.</summary>
internal sealed class ProgressStream(Stream inner, CopyProgress progress) : ReadOnlyWrapperStream(inner)
{
    public override int Read(Span<byte> buffer) => Counted(Inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Counted(await Inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    private int Counted(int read)
    {
        if (read > 0)
        {
            progress.Add(read);
        }
        return read;
    }
}
