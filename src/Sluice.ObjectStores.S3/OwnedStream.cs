using Sluice.Core.ObjectStorage;

namespace Sluice.ObjectStores.S3;

/// <summary>Reads an inner stream and disposes its owner (an SDK response) with it.</summary>
internal sealed class OwnedStream(Stream inner, IDisposable owner) : ReadOnlyWrapperStream(inner)
{
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            owner.Dispose();
        }
    }
}
