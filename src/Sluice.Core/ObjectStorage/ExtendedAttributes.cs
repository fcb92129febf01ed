using System.Runtime.InteropServices;
using System.Text;

namespace Sluice.Core.ObjectStorage;

/// <summary>
/// Linux extended attributes (<c>user.*</c>) of a file, read and written by path without following a symbolic link
/// (<c>lgetxattr</c>, <c>lsetxattr</c>). The local store keeps an object's attributes on its file this way: they move
/// with the file when it is renamed into place, and a file written anew (by any path) starts without them, so they can
/// never describe other bytes than the file's.
/// </summary>
internal static partial class ExtendedAttributes
{
    /// <summary>Largest value read; ext4 holds at most one block of attributes per file.</summary>
    private const int MaxValueBytes = 64 * 1024;

    /// <summary>Sets the attribute; false where the file system keeps none (tmpfs before Linux 6.6, some network file systems).</summary>
    public static bool TrySet(string path, string name, string value)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        var bytes = Encoding.UTF8.GetBytes(value);
        return SetAttribute(path, name, bytes, (nuint)bytes.Length, 0) == 0;
    }

    /// <summary>The attribute's value, or null when the file has none (or the file system keeps none).</summary>
    public static string? Get(string path, string name)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        var buffer = new byte[4096];
        var n = GetAttribute(path, name, buffer, (nuint)buffer.Length);
        if (n < 0 && Marshal.GetLastPInvokeError() == 34) // ERANGE: larger than the first guess
        {
            buffer = new byte[MaxValueBytes];
            n = GetAttribute(path, name, buffer, (nuint)buffer.Length);
        }
        return n < 0 ? null : Encoding.UTF8.GetString(buffer, 0, (int)n);
    }

    [LibraryImport("libc", EntryPoint = "lsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetAttribute(string path, string name, byte[] value, nuint size, int flags);

    [LibraryImport("libc", EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint GetAttribute(string path, string name, [Out] byte[] value, nuint size);
}
