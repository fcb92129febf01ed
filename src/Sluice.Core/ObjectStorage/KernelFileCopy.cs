using System.Runtime.InteropServices;

namespace Sluice.Core.ObjectStorage;

/// <summary>
/// Copies between two open files inside the kernel (Linux <c>copy_file_range</c>, what <c>cp</c> uses), from
/// each handle's current position, so the bytes never pass through this process. Works on the handles
/// already opened (and checked) rather than on paths, so nothing can swap a file in between.
/// </summary>
internal static partial class KernelFileCopy
{
    /// <summary>
    /// Copies the rest of <paramref name="source"/> into <paramref name="destination"/>, advancing both;
    /// false (having copied nothing) where the kernel cannot, and the caller copies through a buffer.
    /// </summary>
    public static bool TryCopy(FileStream source, FileStream destination)
    {
        if (!OperatingSystem.IsLinux() || !source.CanSeek || !destination.CanSeek)
        {
            return false;
        }
        // FileStream keeps its own positions (it reads and writes at explicit offsets), so the copy is given
        // those offsets and the streams are moved past what it copied.
        destination.Flush();
        var start = source.Position;
        var inOffset = start;
        var outOffset = destination.Position;
        var from = (int)source.SafeFileHandle.DangerousGetHandle();
        var to = (int)destination.SafeFileHandle.DangerousGetHandle();
        long copied = 0;
        while (true)
        {
            var n = CopyFileRange(from, ref inOffset, to, ref outOffset, 1 << 30, 0);
            if (n == 0)
            {
                break;
            }
            if (n < 0)
            {
                if (copied == 0)
                {
                    return false; // ENOSYS, EXDEV, EINVAL (e.g. a pipe or an unsupported file system)
                }
                throw new IOException($"copy_file_range failed after {copied} bytes (errno {Marshal.GetLastPInvokeError()})");
            }
            copied += n;
        }
        source.Position = start + copied;
        destination.Position += copied;
        return true;
    }

    [LibraryImport("libc", EntryPoint = "copy_file_range", SetLastError = true)]
    private static partial nint CopyFileRange(int fdIn, ref long offIn, int fdOut, ref long offOut, nuint length, uint flags);
}
