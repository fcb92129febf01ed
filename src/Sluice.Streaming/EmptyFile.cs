using Microsoft.Win32.SafeHandles;

namespace Sluice.Streaming;

/// <summary>
/// Opens a file empty for writing, creating it or emptying the one there: what <see cref="FileMode.Create"/>
/// means, without its cost on ext4. .NET opens a <see cref="FileMode.Create"/> file and then truncates it,
/// even a file it has just created; on ext4 truncating to zero marks the file, and closing a marked file starts
/// writing all of its pages to disk on the spot ("auto_da_alloc", ext4's guard for programs that replace files
/// by truncating them). For a 1 GiB download that was 0.5 s in close and a slower rename, 2-8 times the copy
/// itself; spills and task output paid the same. Here a file is truncated only if it has bytes to lose.
/// </summary>
/// <remarks>Lives in the lowest assembly (every project references it) so each writer of large files uses it.</remarks>
public static class EmptyFile
{
    /// <summary>A write stream on the empty file; <paramref name="share"/>, buffer and async as for <see cref="FileStream"/>.</summary>
    public static FileStream OpenWrite(string path, FileShare share, int bufferSize, bool useAsync = false)
    {
        var handle = OpenWriteHandle(path, share, useAsync ? FileOptions.Asynchronous : FileOptions.None);
        try
        {
            return new FileStream(handle, FileAccess.Write, bufferSize, useAsync);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>A bare handle on the empty file, for positional writes (<see cref="RandomAccess"/>).</summary>
    public static SafeFileHandle OpenWriteHandle(string path, FileShare share, FileOptions options = FileOptions.None)
    {
        var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.Write, share, options);
        try
        {
            if (RandomAccess.GetLength(handle) > 0)
            {
                RandomAccess.SetLength(handle, 0);
            }
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }
}
