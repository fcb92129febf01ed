using Sluice.Contracts;
using Sluice.Core.Model;
using Sluice.Core.ObjectStorage;

namespace Sluice.Core.Mounts;

/// <summary>
/// Makes mounts appear in an instance's working directory: before launch each source folder is copied to
/// its destination (objects streamed through <see cref="ObjectTransfer"/>); when the instance ends, files
/// of writable mounts that are new or changed since the copy are uploaded under the source. Copies, not
/// a file-system driver: every scheme the object stores serve works the same, and a read-only mount's
/// changes never reach the store. Failures are <see cref="ServiceException"/>s with
/// <see cref="ErrorCodes.MountUnavailable"/> (copy-in) or <see cref="ErrorCodes.MountWriteBackFailed"/>
/// naming the mount.
/// </summary>
public sealed class MountManager(ObjectStoreResolver objects)
{
    /// <summary>
    /// The mounts an instance gets: the job's, plus the cluster's whose destination neither equals nor nests
    /// with one of the job's (the job's entry wins).
    /// </summary>
    public static IReadOnlyList<Mount> Effective(IReadOnlyList<Mount> cluster, IReadOnlyList<Mount> job)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(job);
        if (cluster.Count == 0 || job.Count == 0)
        {
            return job.Count == 0 ? cluster : job;
        }
        var result = new List<Mount>(job);
        result.AddRange(cluster.Where(c => !job.Any(j => j.Destination == c.Destination || MountValidation.Nests(j.Destination, c.Destination))));
        return result;
    }

    /// <summary>Copies every mount's source into <paramref name="workingDirectory"/>, replacing whatever was at the destination.</summary>
    public async Task<IReadOnlyList<MountedFolder>> CopyInAsync(IReadOnlyList<Mount> mounts, string workingDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mounts);
        var mounted = new List<MountedFolder>(mounts.Count);
        foreach (var mount in mounts)
        {
            try
            {
                mounted.Add(await CopyInAsync(mount, workingDirectory, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception e) when (e is ServiceException or IOException or UnauthorizedAccessException)
            {
                throw new ServiceException(ErrorCodes.MountUnavailable, $"mount '{mount.Source}' → '{mount.Destination}' cannot be copied in: {e.Message}");
            }
        }
        return mounted;
    }

    /// <summary>Uploads the new and changed files of the writable mounts under their sources. Deleted files are not deleted from the store.</summary>
    public async Task WriteBackAsync(IReadOnlyList<MountedFolder> mounted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mounted);
        foreach (var folder in mounted.Where(m => m.Mount.WriteSupport))
        {
            var file = "";
            try
            {
                // The instance may have swapped its mount folder for a link to elsewhere: upload nothing then.
                RequireRealFolders(folder.Path, folder.Mount.Destination);
                foreach (var (path, relative) in Files(folder.Path))
                {
                    file = relative;
                    var info = new FileInfo(path);
                    if (folder.Files.TryGetValue(relative, out var copied) && copied == (info.Length, info.LastWriteTimeUtc))
                    {
                        continue;
                    }
                    var target = new ObjectLocation(folder.Source.Store, folder.Source.Uri.WithKey(folder.Source.Uri.Key + relative));
                    await ObjectTransfer.UploadAsync(path, info.Length, target, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is ServiceException or IOException or UnauthorizedAccessException)
            {
                var what = file.Length == 0 ? "" : $" (file '{file}')";
                throw new ServiceException(ErrorCodes.MountWriteBackFailed, $"writable mount '{folder.Mount.Destination}' → '{folder.Mount.Source}' cannot be written back{what}: {e.Message}");
            }
        }
    }

    private async Task<MountedFolder> CopyInAsync(Mount mount, string workingDirectory, CancellationToken cancellationToken)
    {
        var source = objects.Resolve(mount.Source);
        var path = Path.Combine(workingDirectory, mount.Destination.Replace('/', Path.DirectorySeparatorChar));
        RequireRealFolders(path, mount.Destination);
        if (Directory.Exists(path))
        {
            // A reused slot directory may hold an earlier instance's copy: start from the source alone.
            Directory.Delete(path, recursive: true);
        }
        else if (File.Exists(path))
        {
            File.Delete(path);
        }
        Directory.CreateDirectory(path);
        var files = new Dictionary<string, (long, DateTime)>(StringComparer.Ordinal);
        var prefix = source.Uri.Key;
        await foreach (var item in ObjectTransfer.ListAllAsync(source, cancellationToken).ConfigureAwait(false))
        {
            if (item.Key.EndsWith('/'))
            {
                continue;
            }
            // WithKey refuses '..' and absolute keys, so the relative path stays inside the destination.
            var uri = source.Uri.WithKey(item.Key);
            var relative = uri.Key[prefix.Length..];
            var local = Path.Combine(path, relative.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(local)!);
            await ObjectTransfer.DownloadAsync(source with { Uri = uri }, local, cancellationToken).ConfigureAwait(false);
            if (mount.WriteSupport)
            {
                var info = new FileInfo(local);
                files[relative] = (info.Length, info.LastWriteTimeUtc);
            }
        }
        return new MountedFolder(mount, source, path, files);
    }

    /// <summary>Refuses a destination whose folders (from the working directory down) include a symbolic link, which could lead out of it.</summary>
    private static void RequireRealFolders(string path, string destination)
    {
        var segments = destination.Split('/');
        var current = path;
        for (var i = segments.Length - 1; i >= 0; i--)
        {
            if (new FileInfo(current).LinkTarget is not null)
            {
                throw new IOException($"'{string.Join('/', segments[..(i + 1)])}' in the working directory is a symbolic link; a mount is a real folder");
            }
            current = Path.GetDirectoryName(current)!;
        }
    }

    /// <summary>The regular files under the folder, by '/'-separated relative path; symbolic links are neither followed nor uploaded.</summary>
    private static IEnumerable<(string Path, string Relative)> Files(string root)
    {
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.TryPop(out var folder))
        {
            foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
            {
                if (entry.LinkTarget is not null)
                {
                    continue;
                }
                if (entry is DirectoryInfo)
                {
                    pending.Push(entry.FullName);
                }
                else
                {
                    yield return (entry.FullName, Path.GetRelativePath(root, entry.FullName).Replace(Path.DirectorySeparatorChar, '/'));
                }
            }
        }
    }
}
