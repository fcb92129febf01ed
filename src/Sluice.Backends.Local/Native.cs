using System.Runtime.InteropServices;

namespace Sluice.Backends.Local;

/// <summary>The few libc calls .NET does not expose: signalling arbitrary pids, access(2), poll(2), getuid(2), getgid(2) and lchown(2).</summary>
internal static partial class Native
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGSTOP = 19;
    public const int X_OK = 1;
    public const short POLLIN = 0x1;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Access(string path, int mode);

    [LibraryImport("libc", EntryPoint = "getuid")]
    public static partial uint GetUid();

    [LibraryImport("libc", EntryPoint = "getgid")]
    public static partial uint GetGid();

    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LChown(string path, int owner, int group);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(ref PollFd fds, nuint count, int timeoutMilliseconds);

    /// <summary>
    /// True when a read of <paramref name="fd"/> would not block: data is waiting, or the write end
    /// is closed (end of file), or the descriptor is in error (the read then fails at once).
    /// </summary>
    public static bool IsReadable(int fd)
    {
        var entry = new PollFd { Fd = fd, Events = POLLIN };
        return Poll(ref entry, 1, 0) > 0 && entry.Revents != 0;
    }
}
