using Sluice.Core.Ports;

namespace Sluice.Backends.Local;

/// <summary>
/// A shell on its own pty, or one command on pipes, started on a node the way its tasks are: the same environment and
/// markers, the same sandbox and user, a cgroup of the node's. Disposing kills what it still runs (its process tree, its
/// marker, its cgroup), as a task's kill does.
/// </summary>
internal sealed class LocalNodeSession : INodeSession
{
    private readonly Pty? _pty;
    private readonly ChildProcess? _child;
    private readonly string _marker;
    private readonly string? _cgroup;

    private LocalNodeSession(int pid, Task<int> exited, Pty? pty, ChildProcess? child, string marker, string? cgroup)
    {
        Pid = pid;
        Exited = exited;
        _pty = pty;
        _child = child;
        _marker = marker;
        _cgroup = cgroup;
        Input = pty?.Input ?? child!.Stdin!;
        Output = pty is not null ? new HangupEndsStream(pty.Output) : child!.Stdout;
        Error = child?.Stderr;
    }

    public int Pid { get; }

    public Stream Input { get; }

    public Stream Output { get; }

    public Stream? Error { get; }

    public Task<int> Exited { get; }

    /// <summary>Starts <paramref name="arguments"/> on a new pty of <paramref name="terminal"/>'s size, or on pipes when it is null.</summary>
    public static LocalNodeSession Start(List<string> arguments, List<string> environment, string workingDirectory, (int Columns, int Rows)? terminal,
        string marker, string? cgroup, int? uid, TaskSandbox? sandbox)
    {
        var (program, argv) = (arguments[0], arguments);
        if (sandbox is not null)
        {
            sandbox.PrepareWorkingDirectory(workingDirectory, uid ?? 0, withContents: false);
            (program, argv) = sandbox.Wrap(arguments, workingDirectory, [], uid ?? 0, onTerminal: terminal is not null);
        }
        LocalNodeSession session;
        if (terminal is { } size)
        {
            var pty = Pty.Open(size.Columns, size.Rows);
            try
            {
                if (uid is { } owner)
                {
                    pty.GiveTo(owner);
                }
                var (pid, exited) = ChildProcess.StartOnTerminal(program, argv, environment, workingDirectory, pty.SlavePath);
                session = new LocalNodeSession(pid, exited, pty, null, marker, cgroup);
            }
            catch
            {
                pty.Dispose();
                throw;
            }
        }
        else
        {
            var child = ChildProcess.Start(program, argv, environment, workingDirectory, withInput: true);
            session = new LocalNodeSession(child.Pid, child.Exited, null, child, marker, cgroup);
        }
        if (cgroup is not null)
        {
            _ = LaunchCgroups.Move(cgroup, session.Pid);
        }
        return session;
    }

    public void Resize(int columns, int rows) => _pty?.Resize(columns, rows);

    public void CloseInput()
    {
        if (_pty is null)
        {
            Input.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!Exited.IsCompleted)
        {
            ProcessTree.Kill([Pid], [_marker]);
        }
        if (_cgroup is not null)
        {
            // What the session left behind (a background job of the shell) ends with it, as a task's leftovers do.
            LaunchCgroups.Kill(_cgroup);
        }
        await Exited.ConfigureAwait(false);
        if (_cgroup is not null)
        {
            LaunchCgroups.Remove(_cgroup);
        }
        _pty?.Dispose();
        _child?.Dispose();
    }

    /// <summary>A pty's master read fails with EIO once the last holder of the slave is gone: that is the end of its output.</summary>
    private sealed class HangupEndsStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                return 0;
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count)
        {
            try
            {
                return inner.Read(buffer, offset, count);
            }
            catch (IOException)
            {
                return 0;
            }
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
