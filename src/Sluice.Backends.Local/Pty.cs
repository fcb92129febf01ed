using System.ComponentModel;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Sluice.Backends.Local;

/// <summary>
/// A pseudo-terminal from the kernel (posix_openpt, grantpt, unlockpt, ptsname_r): this side holds the master, the shell is
/// started on the slave by its path (<see cref="ChildProcess.StartOnTerminal"/>), so the shell is the only one holding the
/// slave and reading the master ends (EIO) once it and its children are gone.
/// </summary>
internal sealed partial class Pty : IDisposable
{
    private const int O_RDWR = 2;
    private const int O_NOCTTY = 0x100;
    private const int O_CLOEXEC = 0x80000;
    private const ulong TIOCSWINSZ = 0x5414;

    private readonly SafeFileHandle _master;

    private Pty(SafeFileHandle master, string slavePath)
    {
        _master = master;
        SlavePath = slavePath;
        // Two streams on one descriptor: a read blocks a pool thread while a write goes on from another.
        Output = new FileStream(master, FileAccess.Read, bufferSize: 0);
        Input = new FileStream(new SafeFileHandle(master.DangerousGetHandle(), ownsHandle: false), FileAccess.Write, bufferSize: 0);
    }

    /// <summary>The slave's path (<c>/dev/pts/N</c>).</summary>
    public string SlavePath { get; }

    /// <summary>What the terminal shows (reads fail with an <see cref="IOException"/> once no one holds the slave).</summary>
    public Stream Output { get; }

    /// <summary>What is typed into the terminal.</summary>
    public Stream Input { get; }

    /// <summary>Opens a new pty of <paramref name="columns"/> by <paramref name="rows"/>.</summary>
    /// <exception cref="Win32Exception">The kernel gave none (no devpts, no ptys left).</exception>
    public static Pty Open(int columns, int rows)
    {
        var fd = PosixOpenPt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "posix_openpt failed");
        }
        var master = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            if (GrantPt(fd) != 0 || UnlockPt(fd) != 0)
            {
                throw new Win32Exception(Marshal.GetLastPInvokeError(), "grantpt/unlockpt failed");
            }
            var name = new byte[128];
            var error = PtsNameR(fd, name, (nuint)name.Length);
            if (error != 0)
            {
                throw new Win32Exception(error, "ptsname_r failed");
            }
            var pty = new Pty(master, System.Text.Encoding.ASCII.GetString(name, 0, Array.IndexOf(name, (byte)0)));
            pty.Resize(columns, rows);
            return pty;
        }
        catch
        {
            master.Dispose();
            throw;
        }
    }

    /// <summary>Sets the terminal's size; the foreground process group gets SIGWINCH.</summary>
    public void Resize(int columns, int rows)
    {
        var size = new WinSize { Rows = (ushort)Math.Clamp(rows, 1, ushort.MaxValue), Columns = (ushort)Math.Clamp(columns, 1, ushort.MaxValue) };
        // A failure here means the session has ended: nothing to resize.
        _ = IoctlWinSize((int)_master.DangerousGetHandle(), TIOCSWINSZ, ref size);
    }

    /// <summary>Gives the slave to the user the shell runs as, as a login does, so it can reopen its own terminal.</summary>
    public void GiveTo(int uid)
    {
        if (Native.LChown(SlavePath, uid, uid) != 0)
        {
            throw new IOException($"cannot give {SlavePath} to uid {uid}: error {Marshal.GetLastPInvokeError()}");
        }
    }

    public void Dispose()
    {
        Input.Dispose();
        Output.Dispose();
        _master.Dispose();
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct WinSize
    {
        public ushort Rows;
        public ushort Columns;
        public ushort XPixels;
        public ushort YPixels;
    }

    [LibraryImport("libc", EntryPoint = "posix_openpt", SetLastError = true)]
    private static partial int PosixOpenPt(int flags);

    [LibraryImport("libc", EntryPoint = "grantpt", SetLastError = true)]
    private static partial int GrantPt(int fd);

    [LibraryImport("libc", EntryPoint = "unlockpt", SetLastError = true)]
    private static partial int UnlockPt(int fd);

    [LibraryImport("libc", EntryPoint = "ptsname_r")]
    private static partial int PtsNameR(int fd, [Out] byte[] buffer, nuint length);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoctlWinSize(int fd, ulong request, ref WinSize size);
}
