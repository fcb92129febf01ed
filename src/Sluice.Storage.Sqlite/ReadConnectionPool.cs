using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Sluice.Storage.Sqlite;

/// <summary>
/// A few long-lived read connections (one per core by default), each with its hot queries kept
/// prepared in a <see cref="CommandCache"/>. Renting is a lock-free channel read; a connection is
/// opened on first need, up to the pool's size, after which callers wait for one to come back.
/// </summary>
/// <remarks>
/// Every query runs in autocommit mode and is reset (its reader disposed) before the connection is
/// returned, so each starts a fresh WAL read snapshot: it sees everything committed before it began,
/// in particular every mutation that returned before the read was started.
/// </remarks>
internal sealed class ReadConnectionPool(Func<SqliteConnection> openConnection, int size) : IDisposable
{
    private readonly Channel<CommandCache> _idle = Channel.CreateUnbounded<CommandCache>();
    private readonly int _size = Math.Max(1, size);
    private int _opened;
    private volatile bool _disposed;

    public ValueTask<CommandCache> RentAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, typeof(SqliteStore));
        if (_idle.Reader.TryRead(out var idle))
        {
            return new ValueTask<CommandCache>(idle);
        }

        if (Volatile.Read(ref _opened) < _size)
        {
            if (Interlocked.Increment(ref _opened) <= _size)
            {
                return new ValueTask<CommandCache>(Open());
            }

            Interlocked.Decrement(ref _opened);
        }

        return _idle.Reader.ReadAsync(cancellationToken);
    }

    public void Return(CommandCache commands)
    {
        if (_disposed || !_idle.Writer.TryWrite(commands))
        {
            Close(commands);
        }
    }

    /// <summary>Closes the idle connections now; one still rented is closed when it comes back.</summary>
    public void Dispose()
    {
        _disposed = true;
        _idle.Writer.TryComplete();
        while (_idle.Reader.TryRead(out var commands))
        {
            Close(commands);
        }
    }

    private CommandCache Open()
    {
        try
        {
            return new CommandCache(openConnection());
        }
        catch
        {
            Interlocked.Decrement(ref _opened);
            throw;
        }
    }

    private static void Close(CommandCache commands)
    {
        commands.Dispose();
        commands.Connection.Dispose();
    }
}
