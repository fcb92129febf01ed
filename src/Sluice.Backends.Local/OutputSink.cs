using System.Buffers;
using System.IO.Pipes;
using Microsoft.Win32.SafeHandles;
using Sluice.Streaming;

namespace Sluice.Backends.Local;

/// <summary>
/// A log file that one or two pipe copiers write into (two when stdout and stderr name the same
/// file; a lock keeps their chunks whole). Writes go straight to the file, unbuffered: each pipe read
/// returns everything the pipe holds (up to the buffer size), so a chatty process is batched by the
/// pipe itself, and a quiet one has its line in the file as soon as it is written, which is what a
/// reader tailing the log wants. Regular-file writes land in the page cache, so they are done
/// synchronously rather than hopping to the thread pool.
/// </summary>
internal sealed class OutputSink : IDisposable
{
    // Linux pipes hold 64 KiB by default; half of that per read keeps syscalls few without holding
    // much memory per running process. Buffers come from the shared pool and go back after the copy.
    private const int ReadBufferSize = 32 * 1024;

    private readonly string _path;
    private readonly string? _directoryToCreate;
    private readonly Lock _gate = new();
    private SafeFileHandle? _file;
    private bool _disposed;
    private int _writers;
    private Exception? _writeError;
    private long _offset;

    private OutputSink(string path, string? directoryToCreate)
    {
        _path = path;
        _directoryToCreate = directoryToCreate;
    }

    /// <summary>
    /// Announces a copier before any copy starts, so the first one to finish does not close the
    /// file under the second.
    /// </summary>
    public void AddWriter() => Interlocked.Increment(ref _writers);

    /// <summary>The first write error, if any (e.g. the disk is full). The pipe is drained regardless.</summary>
    public Exception? WriteError => _writeError;

    /// <summary>
    /// A sink for <paramref name="path"/>. The file is created when the first output arrives: most
    /// short tasks write nothing to stderr (and many nothing at all), and creating a file costs
    /// ~180 µs of CPU on a journaling filesystem, a large share of a launch. A stale file of that name
    /// is emptied now, so an old file never passes for this process's output; readers treat a missing
    /// file as empty. Its directory is created then too, unless it is <paramref name="existingDirectory"/>.
    /// </summary>
    public static OutputSink Create(string path, string existingDirectory)
    {
        if (File.Exists(path))
        {
            // Emptied, never unlinked: the path may be a device such as /dev/null, and a server running as
            // root once deleted /dev/null that way (then created a regular file in its place).
            using var stale = File.OpenHandle(path, FileMode.Truncate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        }
        var directory = Path.GetDirectoryName(path);
        var create = !string.IsNullOrEmpty(directory) && !string.Equals(directory, existingDirectory, StringComparison.Ordinal) ? directory : null;
        return new OutputSink(path, create);
    }

    /// <summary>
    /// Copies <paramref name="pipe"/> into the file until end of stream or cancellation; the last
    /// announced copier closes the file.
    /// </summary>
    public async Task CopyFromAsync(Stream pipe, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
        try
        {
            // Drain what is already waiting with plain reads, checked with poll(2) so they never
            // block. For a task that has exited (see LocalProcess) this is all of its output and
            // the end of file, and the pipe never needs the socket wrapper and epoll registration
            // of an asynchronous read.
            if (pipe is PipeStream pipeStream)
            {
                var fd = (int)pipeStream.SafePipeHandle.DangerousGetHandle();
                while (Native.IsReadable(fd))
                {
                    int read;
                    try
                    {
                        read = pipeStream.Read(buffer, 0, ReadBufferSize);
                    }
                    catch (IOException)
                    {
                        return;
                    }
                    if (read == 0)
                    {
                        return;
                    }
                    Write(buffer.AsSpan(0, read));
                }
            }

            while (true)
            {
                int read;
                try
                {
                    read = await pipe.ReadAsync(buffer.AsMemory(0, ReadBufferSize), cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (IOException)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                if (read == 0)
                {
                    return;
                }
                Write(buffer.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (Interlocked.Decrement(ref _writers) == 0)
            {
                Dispose();
            }
        }
    }

    private void Write(ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            if (_writeError is not null)
            {
                return;
            }
            try
            {
                if (_file is null)
                {
                    if (_disposed)
                    {
                        return;
                    }
                    if (_directoryToCreate is not null)
                    {
                        Directory.CreateDirectory(_directoryToCreate);
                    }
                    // A bare handle with positional writes: no FileStream object or buffer per log file.
                    _file = EmptyFile.OpenWriteHandle(_path, FileShare.ReadWrite | FileShare.Delete);
                }
                RandomAccess.Write(_file, data, _offset);
                _offset += data.Length;
            }
            catch (UnauthorizedAccessException ex)
            {
                _writeError = ex;
            }
            catch (IOException ex)
            {
                // Keep draining the pipe so the process never blocks on a full pipe; report later.
                _writeError = ex;
            }
        }
    }

    /// <summary>Closes the file. Called by the last copier; safe to call again.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _file?.Dispose();
        }
    }
}
