using Sluice.Core.Model;
using Sluice.Core.ObjectStorage;

namespace Sluice.Core.Mounts;

/// <summary>
/// A mount as copied into one instance's working directory: where it landed and, for a writable mount,
/// the size and modification time of each file copied in, so write-back uploads only what the instance
/// created or changed.
/// </summary>
public sealed class MountedFolder
{
    internal MountedFolder(Mount mount, ObjectLocation source, string path, Dictionary<string, (long Size, DateTime Modified)> files)
    {
        Mount = mount;
        Source = source;
        Path = path;
        Files = files;
    }

    /// <summary>The mount.</summary>
    public Mount Mount { get; }

    /// <summary>Its source folder and store.</summary>
    internal ObjectLocation Source { get; }

    /// <summary>The destination folder on this node.</summary>
    public string Path { get; }

    /// <summary>Files copied in, by '/'-separated path relative to <see cref="Path"/>.</summary>
    internal Dictionary<string, (long Size, DateTime Modified)> Files { get; }
}
