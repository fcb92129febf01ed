using Sluice.Core.Ports;

namespace Sluice.Core.Clusters;

/// <summary>An open node shell or command (<see cref="NodeSessionService.OpenAsync"/>); disposing ends it and frees its place under the node's limit.</summary>
public sealed class NodeSessionLease : IAsyncDisposable
{
    private readonly Action _release;
    private int _disposed;

    internal NodeSessionLease(INodeSession session, Action release)
    {
        Session = session;
        _release = release;
    }

    /// <summary>The backend's session: its streams, resize and exit.</summary>
    public INodeSession Session { get; }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        try
        {
            await Session.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _release();
        }
    }
}
