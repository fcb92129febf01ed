using System.Collections.Concurrent;
using System.ComponentModel;
using System.IO.Pipes;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Sluice.Backends.Local;

/// <summary>
/// A task process started with posix_spawn: stdin is /dev/null (or a pipe), stdout and stderr are pipes this side reads,
/// and its exit is seen through a pidfd by <see cref="Reaper"/>.
/// </summary>
/// <remarks>
/// <see cref="System.Diagnostics.Process"/> costs a launch three pipes with a reader or writer object on each
/// (about 16 KiB of garbage before anything is read), a copy of the whole server environment, and a scan of
/// every child it knows on each SIGCHLD. A scheduler starting a thousand short tasks a second pays for all of
/// it; posix_spawn (vfork + exec inside glibc) with a prepared environment does the same work with two pipes.
/// Processes started here are invisible to <see cref="System.Diagnostics.Process"/>, which reaps only its own
/// children, so they are reaped here and nowhere else.
/// </remarks>
internal sealed partial class ChildProcess : IDisposable
{
    private ChildProcess(int pid, SafePipeHandle stdout, SafePipeHandle stderr, Task<int> exited)
    {
        Pid = pid;
        Stdout = new AnonymousPipeClientStream(PipeDirection.In, stdout);
        Stderr = new AnonymousPipeClientStream(PipeDirection.In, stderr);
        Exited = exited;
    }

    public int Pid { get; }

    /// <summary>The read end of the process's stdout.</summary>
    public PipeStream Stdout { get; }

    /// <summary>The read end of the process's stderr.</summary>
    public PipeStream Stderr { get; }

    /// <summary>
    /// Completes with the exit code once the process is reaped; a process ended by a signal reports 128 + the
    /// signal number, as a shell and <see cref="System.Diagnostics.Process.ExitCode"/> do.
    /// </summary>
    public Task<int> Exited { get; }

    /// <summary>Closes this side's pipe ends; the process itself is reaped whether or not this is called.</summary>
    public void Dispose()
    {
        Stdin?.Dispose();
        Stdout.Dispose();
        Stderr.Dispose();
    }

    /// <summary>Starts <paramref name="program"/> (an absolute path) in <paramref name="workingDirectory"/>.</summary>
    /// <param name="program">The executable, as execve takes it.</param>
    /// <param name="arguments">argv, starting with argv[0].</param>
    /// <param name="environment">"NAME=value" entries, the whole environment of the process.</param>
    /// <param name="workingDirectory">An existing directory.</param>
    /// <param name="withInput">Whether its stdin is a pipe this side writes (<see cref="Stdin"/>); else /dev/null.</param>
    /// <exception cref="Win32Exception">The process could not be started (the error says why, e.g. not executable).</exception>
    public static ChildProcess Start(string program, IReadOnlyList<string> arguments, IReadOnlyList<string> environment, string workingDirectory, bool withInput = false)
    {
        var stdout = Pipe();
        var stderr = Pipe();
        (SafePipeHandle Read, SafePipeHandle Write)? stdin = withInput ? Pipe() : null;
        try
        {
            var pid = Spawn(program, arguments, environment, workingDirectory,
                stdin is { } input ? (int)input.Read.DangerousGetHandle() : -1, (int)stdout.Write.DangerousGetHandle(), (int)stderr.Write.DangerousGetHandle(), terminal: null);
            // The pidfd is taken before anything can reap the pid, so it names this process and no other.
            var exited = Reaper.Watch(pid);
            return new ChildProcess(pid, stdout.Read, stderr.Read, exited)
            {
                Stdin = stdin is { } pipe ? new AnonymousPipeClientStream(PipeDirection.Out, pipe.Write) : null,
            };
        }
        catch
        {
            stdout.Read.Dispose();
            stderr.Read.Dispose();
            stdin?.Write.Dispose();
            throw;
        }
        finally
        {
            // The child has its copies (or never started); ours of its ends must go, or the reads never end.
            stdout.Write.Dispose();
            stderr.Write.Dispose();
            stdin?.Read.Dispose();
        }
    }

    /// <summary>
    /// Starts <paramref name="program"/> as the leader of a new session whose controlling terminal is
    /// <paramref name="terminal"/> (a pty's slave, opened in the child after setsid), with stdin, stdout and stderr on it:
    /// what a login does, so job control and <c>tty</c> work. Returns its pid and its exit, seen as <see cref="Exited"/> is.
    /// </summary>
    /// <exception cref="Win32Exception">The process could not be started.</exception>
    public static (int Pid, Task<int> Exited) StartOnTerminal(string program, IReadOnlyList<string> arguments, IReadOnlyList<string> environment, string workingDirectory, string terminal)
    {
        var pid = Spawn(program, arguments, environment, workingDirectory, -1, -1, -1, terminal);
        return (pid, Reaper.Watch(pid));
    }

    /// <summary>The write end of the process's stdin, when it was started with one.</summary>
    public PipeStream? Stdin { get; private init; }

    private static unsafe int Spawn(string program, IReadOnlyList<string> arguments, IReadOnlyList<string> environment, string workingDirectory,
        int inputFd, int outputFd, int errorFd, string? terminal)
    {
        var strings = new List<nint>(arguments.Count + environment.Count + 4);
        // glibc's posix_spawn_file_actions_t is 80 bytes and posix_spawnattr_t 336 on x86-64 and arm64;
        // both get room to spare.
        var actions = NativeMemory.AllocZeroed(512);
        var attributes = NativeMemory.AllocZeroed(1024);
        try
        {
            var path = Utf8(program, strings);
            var argv = NullTerminated(arguments, strings);
            var envp = NullTerminated(environment, strings);
            Check(PosixSpawnFileActionsInit(actions));
            Check(PosixSpawnFileActionsAddChdir(actions, Utf8(workingDirectory, strings)));
            var flags = (short)(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
            if (terminal is not null)
            {
                // glibc runs setsid before the file actions, so this open makes the terminal the new session's controlling one.
                Check(PosixSpawnFileActionsAddOpen(actions, 0, Utf8(terminal, strings), O_RDWR, 0));
                Check(PosixSpawnFileActionsAddDup2(actions, 0, 1));
                Check(PosixSpawnFileActionsAddDup2(actions, 0, 2));
                flags |= POSIX_SPAWN_SETSID;
            }
            else
            {
                Check(inputFd < 0
                    ? PosixSpawnFileActionsAddOpen(actions, 0, Utf8("/dev/null", strings), O_RDONLY, 0)
                    : PosixSpawnFileActionsAddDup2(actions, inputFd, 0));
                Check(PosixSpawnFileActionsAddDup2(actions, outputFd, 1));
                Check(PosixSpawnFileActionsAddDup2(actions, errorFd, 2));
            }

            // The runtime blocks no signals on its threads but ignores SIGPIPE: the task gets every signal back
            // at its default, so a pipeline like `yes | head` ends as it would from a shell.
            Check(PosixSpawnAttrInit(attributes));
            var signals = stackalloc byte[SigSetBytes];
            Check(SigEmptySet(signals));
            Check(PosixSpawnAttrSetSigMask(attributes, signals));
            Check(SigFillSet(signals));
            Check(PosixSpawnAttrSetSigDefault(attributes, signals));
            Check(PosixSpawnAttrSetFlags(attributes, flags));

            int pid;
            Check(PosixSpawn(&pid, path, actions, attributes, argv, envp));
            return pid;
        }
        finally
        {
            _ = PosixSpawnFileActionsDestroy(actions);
            _ = PosixSpawnAttrDestroy(attributes);
            NativeMemory.Free(actions);
            NativeMemory.Free(attributes);
            foreach (var pointer in strings)
            {
                NativeMemory.Free((void*)pointer);
            }
        }
    }

    private static (SafePipeHandle Read, SafePipeHandle Write) Pipe()
    {
        Span<int> fds = stackalloc int[2];
        if (Pipe2(ref MemoryMarshal.GetReference(fds), O_CLOEXEC) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError());
        }
        return (new SafePipeHandle(fds[0], ownsHandle: true), new SafePipeHandle(fds[1], ownsHandle: true));
    }

    private static void Check(int error)
    {
        if (error != 0)
        {
            throw new Win32Exception(error);
        }
    }

    private static unsafe byte* Utf8(string value, List<nint> allocated)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        var bytes = (byte*)NativeMemory.Alloc((nuint)length + 1);
        allocated.Add((nint)bytes);
        Encoding.UTF8.GetBytes(value, new Span<byte>(bytes, length));
        bytes[length] = 0;
        return bytes;
    }

    private static unsafe byte** NullTerminated(IReadOnlyList<string> values, List<nint> allocated)
    {
        var array = (byte**)NativeMemory.Alloc((nuint)(values.Count + 1), (nuint)sizeof(byte*));
        allocated.Add((nint)array);
        for (var i = 0; i < values.Count; i++)
        {
            array[i] = Utf8(values[i], allocated);
        }
        array[values.Count] = null;
        return array;
    }

    private const int O_RDONLY = 0;
    private const int O_RDWR = 2;
    private const int O_CLOEXEC = 0x80000;
    private const short POSIX_SPAWN_SETSIGDEF = 0x04;
    private const short POSIX_SPAWN_SETSIGMASK = 0x08;
    private const short POSIX_SPAWN_SETSID = 0x80;
    private const int SigSetBytes = 128;

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    private static partial int Pipe2(ref int fds, int flags);

    [LibraryImport("libc", EntryPoint = "posix_spawn")]
    private static unsafe partial int PosixSpawn(int* pid, byte* path, void* fileActions, void* attributes, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    private static unsafe partial int PosixSpawnFileActionsInit(void* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    private static unsafe partial int PosixSpawnFileActionsDestroy(void* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addchdir_np")]
    private static unsafe partial int PosixSpawnFileActionsAddChdir(void* actions, byte* path);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addopen")]
    private static unsafe partial int PosixSpawnFileActionsAddOpen(void* actions, int fd, byte* path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    private static unsafe partial int PosixSpawnFileActionsAddDup2(void* actions, int fd, int newFd);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_init")]
    private static unsafe partial int PosixSpawnAttrInit(void* attributes);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_destroy")]
    private static unsafe partial int PosixSpawnAttrDestroy(void* attributes);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setflags")]
    private static unsafe partial int PosixSpawnAttrSetFlags(void* attributes, short flags);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigmask")]
    private static unsafe partial int PosixSpawnAttrSetSigMask(void* attributes, byte* signals);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigdefault")]
    private static unsafe partial int PosixSpawnAttrSetSigDefault(void* attributes, byte* signals);

    [LibraryImport("libc", EntryPoint = "sigemptyset")]
    private static unsafe partial int SigEmptySet(byte* signals);

    [LibraryImport("libc", EntryPoint = "sigfillset")]
    private static unsafe partial int SigFillSet(byte* signals);

    /// <summary>
    /// One thread that reaps every process <see cref="Start"/> launched: it polls their pidfds (and an eventfd that
    /// announces new ones) and collects each exit with waitid as soon as its pidfd turns readable.
    /// </summary>
    private static partial class Reaper
    {
        private const int P_PIDFD = 3;
        private const int WEXITED = 4;
        private const int CLD_EXITED = 1;
        private const int SYS_pidfd_open = 434;
        private const int EINTR = 4;

        private static readonly ConcurrentQueue<(int PidFd, TaskCompletionSource<int> Exit)> Added = new();
        private static readonly Lazy<int> Wakeup = new(StartThread);

        public static Task<int> Watch(int pid)
        {
            var pidFd = (int)Syscall(SYS_pidfd_open, pid, 0);
            if (pidFd < 0)
            {
                // The process exists (posix_spawn just returned it) and is our child, so this means no pidfd
                // support (Linux before 5.3) or no descriptors left.
                var error = Marshal.GetLastPInvokeError();
                _ = Native.Kill(pid, Native.SIGKILL);
                throw new Win32Exception(error, $"pidfd_open failed for process {pid}: {new Win32Exception(error).Message}");
            }
            var exit = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            Added.Enqueue((pidFd, exit));
            ulong one = 1;
            _ = Write(Wakeup.Value, ref one, sizeof(ulong));
            return exit.Task;
        }

        private static int StartThread()
        {
            var eventFd = EventFd(0, O_CLOEXEC);
            if (eventFd < 0)
            {
                throw new Win32Exception(Marshal.GetLastPInvokeError());
            }
            new Thread(() => Run(eventFd)) { IsBackground = true, Name = "Sluice reaper" }.Start();
            return eventFd;
        }

        private static unsafe void Run(int eventFd)
        {
            var watched = new List<(int PidFd, TaskCompletionSource<int> Exit)>();
            var polled = new List<Native.PollFd>();
            var info = stackalloc byte[128];
            while (true)
            {
                polled.Clear();
                polled.Add(new Native.PollFd { Fd = eventFd, Events = Native.POLLIN });
                foreach (var (pidFd, _) in watched)
                {
                    polled.Add(new Native.PollFd { Fd = pidFd, Events = Native.POLLIN });
                }
                var span = CollectionsMarshal.AsSpan(polled);
                if (Native.Poll(ref MemoryMarshal.GetReference(span), (nuint)span.Length, -1) < 0)
                {
                    continue; // EINTR
                }
                if (span[0].Revents != 0)
                {
                    ulong count;
                    _ = Read(eventFd, &count, sizeof(ulong));
                    while (Added.TryDequeue(out var added))
                    {
                        watched.Add(added);
                    }
                }
                // Back to front so removals keep the earlier indexes valid; span[i + 1] is watched[i].
                for (var i = watched.Count - 1; i >= 0; i--)
                {
                    if (i + 1 >= span.Length || span[i + 1].Revents == 0)
                    {
                        continue;
                    }
                    var (pidFd, exit) = watched[i];
                    new Span<byte>(info, 128).Clear();
                    int result;
                    do
                    {
                        result = WaitId(P_PIDFD, pidFd, info, WEXITED);
                    }
                    while (result < 0 && Marshal.GetLastPInvokeError() == EINTR);
                    var error = result < 0 ? Marshal.GetLastPInvokeError() : 0;
                    watched.RemoveAt(i);
                    _ = Close(pidFd);
                    if (result < 0)
                    {
                        exit.TrySetException(new Win32Exception(error));
                        continue;
                    }
                    // siginfo_t: si_code at byte 8, si_status at byte 24 (x86-64 and arm64 Linux).
                    var code = *(int*)(info + 8);
                    var status = *(int*)(info + 24);
                    exit.TrySetResult(code == CLD_EXITED ? status : 128 + status);
                }
            }
        }

        [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
        private static partial long Syscall(long number, int pid, uint flags);

        [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
        private static partial int EventFd(uint initial, int flags);

        [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
        private static partial nint Write(int fd, ref ulong value, nuint count);

        [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
        private static unsafe partial nint Read(int fd, void* buffer, nuint count);

        [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
        private static partial int Close(int fd);

        [LibraryImport("libc", EntryPoint = "waitid", SetLastError = true)]
        private static unsafe partial int WaitId(int idType, int id, void* info, int options);
    }
}
