using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Sluice.Streaming;

/// <summary>
/// Reads of a tree that another user writes: a sandboxed step's staged objects and its cluster's Hive metastore, which
/// the server reads after the step (to upload its outputs) and before the next one (to plan its staging). The server
/// reads as itself, so a symbolic link planted there would point it at any file it can read (its database, its keys)
/// and a FIFO would hang it; both are refused with <see cref="UnsafeFileException"/>, never followed.
/// </summary>
public static partial class NoFollowFiles
{
    private const int ReadOnly = 0;
    private const int NonBlocking = 0x800;
    private const int CloseOnExec = 0x80000;
    private const int TooManyLinks = 40; // ELOOP: what open(2) says for a link under O_NOFOLLOW
    private const int NoSuchFile = 2;

    // O_NOFOLLOW is one of the few flags whose value differs between Linux's architectures.
    private static int NoFollow => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;

    /// <summary>Opens a regular file for reading, refusing a link (as the last part of the path) or anything but a file.</summary>
    /// <exception cref="UnsafeFileException">The path is a symbolic link, a FIFO or a device.</exception>
    /// <exception cref="FileNotFoundException">Nothing is there.</exception>
    public static FileStream OpenRead(string path)
    {
        // Non-blocking: opening a FIFO for reading would otherwise wait for a writer that never comes.
        var fd = Open(path, ReadOnly | NoFollow | NonBlocking | CloseOnExec);
        if (fd < 0)
        {
            var error = Marshal.GetLastPInvokeError();
            throw error switch
            {
                TooManyLinks => new UnsafeFileException(path, "is a symbolic link"),
                NoSuchFile => new FileNotFoundException($"'{path}' does not exist", path),
                _ => new IOException($"cannot open '{path}': {Marshal.GetPInvokeErrorMessage(error)}"),
            };
        }
        var stream = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, 1 << 16, isAsync: false);
        if (!stream.CanSeek)
        {
            stream.Dispose();
            throw new UnsafeFileException(path, "is not a regular file");
        }
        return stream;
    }

    /// <summary>The text of a file read with <see cref="OpenRead"/>; null when there is none.</summary>
    public static string? ReadAllText(string path)
    {
        try
        {
            using var reader = new StreamReader(OpenRead(path));
            return reader.ReadToEnd();
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Refuses <paramref name="path"/> when it, or a folder between <paramref name="root"/> and it, is a symbolic link.</summary>
    /// <exception cref="UnsafeFileException">A part of the path below the root is a link.</exception>
    public static void CheckNoLinks(string root, string path)
    {
        var full = Path.GetFullPath(path);
        var relative = Path.GetRelativePath(Path.GetFullPath(root), full);
        if (relative == ".")
        {
            return;
        }
        if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            throw new UnsafeFileException(path, $"is not under {root}");
        }
        if (FirstLinkOnTheWay(Path.GetFullPath(root), relative.Replace(Path.DirectorySeparatorChar, '/')) is { } link)
        {
            throw new UnsafeFileException(link, "is a symbolic link");
        }
    }

    /// <summary>
    /// The first path that is a symbolic link on the way from <paramref name="root"/> down a '/'-separated relative path,
    /// the last part included; null when there is none. The walk stops at the first part that does not exist: nothing
    /// below it can be a link.
    /// </summary>
    public static string? FirstLinkOnTheWay(string root, string relative)
    {
        var current = root;
        foreach (var segment in relative.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, segment);
            var info = new FileInfo(current);
            if (info.LinkTarget is not null)
            {
                return current;
            }
            if (!info.Exists && !Directory.Exists(current))
            {
                return null;
            }
        }
        return null;
    }

    /// <summary>The files under <paramref name="folder"/>, as paths relative to it with '/', refusing any link among them.</summary>
    /// <exception cref="UnsafeFileException">An entry of the tree is a symbolic link.</exception>
    public static IReadOnlyList<string> Files(string folder)
    {
        var files = new List<string>();
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            if (entry.LinkTarget is not null)
            {
                throw new UnsafeFileException(entry.FullName, "is a symbolic link");
            }
            if (entry is FileInfo)
            {
                files.Add(Path.GetRelativePath(folder, entry.FullName).Replace(Path.DirectorySeparatorChar, '/'));
            }
        }
        return files;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);
}

/// <summary>A file the server refused to read because another user could have made it point elsewhere (<see cref="NoFollowFiles"/>).</summary>
public sealed class UnsafeFileException : IOException
{
    public UnsafeFileException()
    {
    }

    public UnsafeFileException(string message)
        : base(message)
    {
    }

    public UnsafeFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public UnsafeFileException(string path, string why)
        : base($"'{path}' {why}; it is not read")
    {
        Path = path;
    }

    /// <summary>The refused path.</summary>
    public string? Path { get; }
}
