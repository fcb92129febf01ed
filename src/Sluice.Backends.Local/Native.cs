using System.Runtime.InteropServices;

namespace Sluice.Backends.Local;

/// <summary>The few libc calls .NET does not expose: signalling arbitrary pids and access(2).</summary>
internal static partial class Native
{
    public const int SIGKILL = 9;
    public const int SIGSTOP = 19;
    public const int X_OK = 1;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Access(string path, int mode);
}
