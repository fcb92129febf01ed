namespace Sluice.Streaming.Internal;

internal static class Directories
{
    /// <summary>Best-effort recursive delete (symlinks are removed, not followed); cleanup never fails a job.</summary>
    public static void TryDelete(string directory)
    {
        try
        {
            if (directory.Length > 0 && Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
