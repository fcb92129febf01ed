using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Sluice.Streaming;

/// <summary>
/// Unpacks tar and zip archives that come from users (task packages, cache archives) so that nothing outside the
/// destination folder is ever created, overwritten or reachable. .NET's <c>TarFile</c>/<c>ZipFile</c> check each
/// name against the destination by string only: a link made by one entry and written through by a later one leads
/// anywhere (issue #15, item 4). The rules here:
/// <list type="bullet">
/// <item>names are relative: an absolute name, a <c>..</c> component or a NUL is refused; <c>/</c> and <c>\</c> both
/// separate components;</item>
/// <item>only files, folders and symbolic links: hard links, devices, fifos and other entry types are refused;</item>
/// <item>nothing is written through a symbolic link: an entry whose folder path (as it is on disk at that moment)
/// passes through a link is refused, even one leading inside, so earlier entries cannot redirect later ones;</item>
/// <item>a symbolic link must be relative and lead inside the destination: checked by name when it is made, and
/// once all entries are out, resolved again through the links on disk (a link may change what an earlier one
/// means), so no link in the result reaches outside;</item>
/// <item>set-user-id, set-group-id and sticky bits are dropped; the owner can always read and write (and enter
/// folders), so the cache can be copied and removed.</item>
/// </list>
/// A refusal is an <see cref="InvalidDataException"/> naming the entry; the destination is then deleted, so no
/// partly unpacked tree is ever used.
/// </summary>
/// <remarks>Lives in the lowest assembly, like <see cref="EmptyFile"/>, so the streaming engine and the core share it.</remarks>
public static class ArchiveExtractor
{
    private const UnixFileMode Permissions = (UnixFileMode)0x1FF; // rwxrwxrwx: no set-id or sticky bits
    private const int MaxLinkTargetBytes = 4096;
    private const int MaxLinksFollowed = 40; // Linux's own limit before ELOOP

    /// <summary>
    /// Unpacks a tar stream (already decompressed) into <paramref name="destination"/>, which must be missing or
    /// empty; on any failure it is deleted.
    /// </summary>
    public static async Task ExtractTarAsync(Stream tar, string destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tar);
        var tree = Tree.Create(destination);
        try
        {
            var reader = new TarReader(tar, leaveOpen: true);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
                {
                    await ExtractAsync(tree, entry, cancellationToken).ConfigureAwait(false);
                }
            }
            tree.CheckLinks();
        }
        catch
        {
            tree.Delete();
            throw;
        }
    }

    /// <summary>
    /// Unpacks a zip archive (a seekable stream) into <paramref name="destination"/>, which must be missing or
    /// empty; on any failure it is deleted. Entries with Unix link attributes (<c>zip -y</c>) become symbolic links
    /// under the same rules as tar's.
    /// </summary>
    public static async Task ExtractZipAsync(Stream zip, string destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(zip);
        var tree = Tree.Create(destination);
        try
        {
            using (var archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true))
            {
                foreach (var entry in archive.Entries)
                {
                    await ExtractAsync(tree, entry, cancellationToken).ConfigureAwait(false);
                }
            }
            tree.CheckLinks();
        }
        catch
        {
            tree.Delete();
            throw;
        }
    }

    private static async Task ExtractAsync(Tree tree, TarEntry entry, CancellationToken cancellationToken)
    {
        var name = entry.Name;
        switch (entry.EntryType)
        {
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                await tree.WriteFileAsync(name, entry.DataStream, entry.Mode, entry.ModificationTime, cancellationToken).ConfigureAwait(false);
                break;
            case TarEntryType.Directory:
                tree.MakeFolder(name, entry.Mode);
                break;
            case TarEntryType.SymbolicLink:
                tree.MakeLink(name, entry.LinkName);
                break;
            case TarEntryType.GlobalExtendedAttributes:
                break; // metadata for the entries that follow, not a file
            case TarEntryType.HardLink:
                throw Refused(name, $"is a hard link (to '{entry.LinkName}'); archives may hold files, folders and symbolic links only");
            default:
                throw Refused(name, $"is a {Describe(entry.EntryType)}; archives may hold files, folders and symbolic links only");
        }
    }

    private static async Task ExtractAsync(Tree tree, ZipArchiveEntry entry, CancellationToken cancellationToken)
    {
        var name = entry.FullName;
        var mode = (entry.ExternalAttributes >> 16) & 0xFFFF; // Unix st_mode when made on Unix, else 0
        var permissions = (UnixFileMode)(mode & 0xFFF);
        switch (mode & 0xF000)
        {
            case 0 when name.EndsWith('/') || name.EndsWith('\\'):
            case 0x4000:
                tree.MakeFolder(name, mode == 0 ? null : permissions);
                break;
            case 0 or 0x8000:
                var content = entry.Open();
                await using (content.ConfigureAwait(false))
                {
                    await tree.WriteFileAsync(name, content, mode == 0 ? null : permissions, entry.LastWriteTime, cancellationToken).ConfigureAwait(false);
                }
                break;
            case 0xA000:
                tree.MakeLink(name, ReadLinkTarget(entry));
                break;
            default:
                throw Refused(name, $"is a {DescribeMode(mode & 0xF000)}; archives may hold files, folders and symbolic links only");
        }
    }

    private static string ReadLinkTarget(ZipArchiveEntry entry)
    {
        if (entry.Length > MaxLinkTargetBytes)
        {
            throw Refused(entry.FullName, $"is a symbolic link whose target is over {MaxLinkTargetBytes} bytes");
        }
        using var content = entry.Open();
        using var reader = new StreamReader(content, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static string Describe(TarEntryType type) => type switch
    {
        TarEntryType.CharacterDevice => "character device",
        TarEntryType.BlockDevice => "block device",
        TarEntryType.Fifo => "fifo",
        _ => $"'{type}' entry",
    };

    private static string DescribeMode(int type) => type switch
    {
        0x1000 => "fifo",
        0x2000 => "character device",
        0x6000 => "block device",
        0xC000 => "socket",
        _ => $"file of unknown type 0x{type:x}",
    };

    internal static InvalidDataException Refused(string entry, string why) => new($"entry '{entry}' {why}");

    /// <summary>The destination being filled, and the links made in it (checked again at the end).</summary>
    private sealed class Tree
    {
        private readonly string _root;
        private readonly List<(string Entry, string[] Parts, string Target)> _links = [];

        private Tree(string root) => _root = root;

        public static Tree Create(string destination)
        {
            var root = Path.GetFullPath(destination);
            if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
            {
                throw new IOException($"'{root}' is not empty; archives are unpacked into a new folder");
            }
            Directory.CreateDirectory(root);
            return new Tree(root);
        }

        public void Delete()
        {
            try
            {
                // Recursive delete removes links themselves, never what they point to.
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        public async Task WriteFileAsync(string entry, Stream? data, UnixFileMode? mode, DateTimeOffset modified, CancellationToken cancellationToken)
        {
            var parts = Parts(entry);
            if (parts.Length == 0)
            {
                throw Refused(entry, "is a file without a name");
            }
            var path = Replaceable(entry, parts);
            var options = new FileStreamOptions
            {
                // CreateNew is O_EXCL: it never opens what a link (or a name raced in) points to.
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Options = FileOptions.Asynchronous,
            };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = ((mode ?? (UnixFileMode)0x1A4) & Permissions) | UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            var file = new FileStream(path, options);
            await using (file.ConfigureAwait(false))
            {
                if (data is not null)
                {
                    await data.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                }
            }
            File.SetLastWriteTimeUtc(path, modified.UtcDateTime);
        }

        public void MakeFolder(string entry, UnixFileMode? mode)
        {
            var parts = Parts(entry);
            if (parts.Length == 0)
            {
                return; // "./": the destination itself
            }
            var path = Path.Combine(Parent(entry, parts), parts[^1]);
            switch (Kind(path))
            {
                case Entry.None:
                    Directory.CreateDirectory(path);
                    break;
                case Entry.Folder:
                    break;
                default:
                    throw Refused(entry, $"is a folder where an earlier entry made a {(Kind(path) == Entry.Link ? "symbolic link" : "file")}");
            }
            if (mode is { } m && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, (m & Permissions) | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        public void MakeLink(string entry, string target)
        {
            var parts = Parts(entry);
            if (parts.Length == 0)
            {
                throw Refused(entry, "is a symbolic link without a name");
            }
            if (target.Length == 0 || target.Contains('\0', StringComparison.Ordinal))
            {
                throw Refused(entry, "is a symbolic link with an empty or malformed target");
            }
            if (target.StartsWith('/') || target.StartsWith('\\'))
            {
                throw Refused(entry, $"is a symbolic link to the absolute path '{target}'; links must stay inside the archive's folder");
            }
            // By name first, so the usual escape is refused before anything is made.
            if (!Inside(parts[..^1], target, followLinks: false))
            {
                throw Refused(entry, $"is a symbolic link to '{target}', which leads outside the archive's folder");
            }
            var path = Replaceable(entry, parts);
            File.CreateSymbolicLink(path, target);
            _links.Add((entry, parts, target));
        }

        /// <summary>Resolves every link made through the links now on disk: one made later may change where an earlier one leads.</summary>
        public void CheckLinks()
        {
            foreach (var (entry, parts, target) in _links)
            {
                var path = Path.Combine(_root, Path.Combine(parts));
                if (new FileInfo(path).LinkTarget != target)
                {
                    continue; // replaced by a later entry
                }
                if (!Inside(parts[..^1], target, followLinks: true))
                {
                    throw Refused(entry, $"is a symbolic link to '{target}', which leads outside the archive's folder through other links in it");
                }
            }
        }

        /// <summary>The path for a new file or link: its folders made (never through a link); an earlier file or link there removed, not followed.</summary>
        private string Replaceable(string entry, string[] parts)
        {
            var path = Path.Combine(Parent(entry, parts), parts[^1]);
            switch (Kind(path))
            {
                case Entry.File or Entry.Link:
                    File.Delete(path); // unlinks the name; a link's target is untouched
                    break;
                case Entry.Folder:
                    throw Refused(entry, "is a file or link where an earlier entry made a folder");
            }
            return path;
        }

        /// <summary>The entry's folder, each component checked on disk and made when missing.</summary>
        private string Parent(string entry, string[] parts)
        {
            var current = _root;
            for (var i = 0; i < parts.Length - 1; i++)
            {
                current = Path.Combine(current, parts[i]);
                switch (Kind(current))
                {
                    case Entry.None:
                        Directory.CreateDirectory(current);
                        break;
                    case Entry.Link:
                        throw Refused(entry, $"lies under '{string.Join('/', parts[..(i + 1)])}', a symbolic link; nothing is written through links");
                    case Entry.File:
                        throw Refused(entry, $"lies under '{string.Join('/', parts[..(i + 1)])}', which is a file");
                }
            }
            return current;
        }

        /// <summary>
        /// Whether <paramref name="target"/>, read from the folder <paramref name="from"/> (components below the root),
        /// stays inside the root; with <paramref name="followLinks"/>, links met on the way are resolved as the kernel would.
        /// Components that do not exist (yet) are taken by name.
        /// </summary>
        private bool Inside(string[] from, string target, bool followLinks)
        {
            var stack = new List<string>(from);
            var pending = new LinkedList<string>(Split(target));
            var followed = 0;
            while (pending.First is { } first)
            {
                pending.RemoveFirst();
                var part = first.Value;
                if (part is "" or ".")
                {
                    continue;
                }
                if (part == "..")
                {
                    if (stack.Count == 0)
                    {
                        return false;
                    }
                    stack.RemoveAt(stack.Count - 1);
                    continue;
                }
                if (followLinks && new FileInfo(Path.Combine(_root, Path.Combine([.. stack, part]))).LinkTarget is { } next)
                {
                    if (++followed > MaxLinksFollowed || next.StartsWith('/'))
                    {
                        return false;
                    }
                    foreach (var p in Split(next).Reverse())
                    {
                        pending.AddFirst(p);
                    }
                    continue;
                }
                stack.Add(part);
            }
            return true;
        }

        private static string[] Split(string path) => path.Split('/', '\\');

        /// <summary>The entry name's components; refuses absolute names, '..' and NULs.</summary>
        private static string[] Parts(string entry)
        {
            if (entry.Contains('\0', StringComparison.Ordinal))
            {
                throw Refused(entry, "has a NUL character in its name");
            }
            if (entry.StartsWith('/') || entry.StartsWith('\\') || (entry.Length >= 2 && entry[1] == ':' && char.IsAsciiLetter(entry[0])))
            {
                throw Refused(entry, "has an absolute name; names must be relative to the archive's folder");
            }
            var parts = Split(entry).Where(p => p is not ("" or ".")).ToArray();
            if (parts.Contains(".."))
            {
                throw Refused(entry, "has a '..' component; names must stay inside the archive's folder");
            }
            return parts;
        }

        private static Entry Kind(string path)
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is not null)
            {
                return Entry.Link;
            }
            return info.Exists ? Entry.File : Directory.Exists(path) ? Entry.Folder : Entry.None;
        }
    }

    private enum Entry
    {
        None,
        File,
        Folder,
        Link,
    }
}
