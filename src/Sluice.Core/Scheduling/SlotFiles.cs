using System.Text;

namespace Sluice.Core.Scheduling;

/// <summary>The files of a process's slot: what its stderr ended with, and emptying the slot for the next process.</summary>
internal static class SlotFiles
{
    public static string? StderrTail(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var length = (int)Math.Min(stream.Length, 300);
            stream.Seek(-length, SeekOrigin.End);
            var buffer = new byte[length];
            stream.ReadExactly(buffer);
            return Encoding.UTF8.GetString(buffer).Trim().ReplaceLineEndings(" | ");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Removes what a process left in its slot directory; an empty one costs a single directory read.</summary>
    public static void Empty(string directory)
    {
        try
        {
            foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
            {
                if (entry is DirectoryInfo { LinkTarget: null } sub)
                {
                    sub.Delete(recursive: true);
                }
                else
                {
                    entry.Delete();
                }
            }
        }
        catch (IOException)
        {
            // Best effort: a process that left a file open keeps it until the node is released.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
