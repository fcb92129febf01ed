using System.Diagnostics;
using System.IO.Pipes;
using System.Runtime.InteropServices;

namespace Sluice.Streaming.Internal;

/// <summary>
/// Grows the stdin/stdout pipes from Linux's 64 KiB to 1 MiB so mapper and engine block on each other less.
/// Best effort: anything but Linux, or a refusal, keeps the default size.
/// </summary>
internal static partial class PipeTuning
{
    private const int FSetPipeSize = 1031;
    private const int Size = 1 << 20;

    public static void Enlarge(Process process)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        try
        {
            if (process.StandardInput.BaseStream is PipeStream stdin)
            {
                Enlarge(stdin.SafePipeHandle);
            }
            if (process.StandardOutput.BaseStream is PipeStream stdout)
            {
                Enlarge(stdout.SafePipeHandle);
            }
        }
        catch (DllNotFoundException)
        {
        }
        catch (EntryPointNotFoundException)
        {
        }
    }

    private static void Enlarge(SafeHandle handle)
    {
        _ = Fcntl((int)handle.DangerousGetHandle(), FSetPipeSize, Size);
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);
}
