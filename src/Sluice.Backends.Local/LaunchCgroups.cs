using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.Backends.Local;

/// <summary>
/// A cgroup (v2) per launch, where the server may make them (root, or a delegated cgroup2 tree): every process a launch
/// starts stays in its cgroup whatever it does with its parent, session or environment (double forks, setsid, env -i), so
/// a kill or a node's release reaches them all with one write to <c>cgroup.kill</c>. Laid out as
/// <c>&lt;cgroup2&gt;/sluice/&lt;hash of the backend root&gt;/&lt;cluster&gt;/&lt;node&gt;/&lt;launch&gt;</c>.
/// </summary>
/// <remarks>
/// A command line run through /bin/sh moves its shell into the cgroup as its first line, before anything of the command
/// runs; a program run directly is moved right after it starts, so a child it forks in its first microseconds stays
/// outside (the process-tree sweep still finds it by parent and marker). Where no cgroup2 tree is
/// writable (not root, cgroup v1 only), <see cref="Find"/> returns null and the sweep alone is used.
/// </remarks>
internal sealed class LaunchCgroups
{
    private readonly string _base;

    private LaunchCgroups(string basePath) => _base = basePath;

    /// <summary>
    /// Writes a cgroup control file as the kernel wants it: opened for writing without truncation (cgroupfs refuses
    /// ftruncate, which File.WriteAllText would do) and written in one call.
    /// </summary>
    private static void WriteControl(string file, string value)
    {
        using var handle = File.OpenHandle(file, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        RandomAccess.Write(handle, Encoding.ASCII.GetBytes(value), 0);
    }

    /// <summary>The cgroups of a backend rooted at <paramref name="rootDirectory"/>, or null when none can be made here.</summary>
    public static LaunchCgroups? Find(string rootDirectory)
    {
        try
        {
            if (Mount() is not { } mount || !File.Exists(Path.Combine(mount, "cgroup.procs")))
            {
                return null;
            }
            // One directory for every Sluice backend on the machine, one below it per backend root; the latter is made on
            // a first launch and removed with the last node.
            var sluice = Path.Combine(mount, "sluice");
            Directory.CreateDirectory(sluice);
            var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(rootDirectory))))[..12];
            return File.Exists(Path.Combine(sluice, "cgroup.kill")) ? new LaunchCgroups(Path.Combine(sluice, name)) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Makes the cgroup of a launch before it starts; null when that failed (it then runs without one).</summary>
    public string? Prepare(string clusterId, string nodeId, string launchId)
    {
        var path = Path.Combine(_base, clusterId, nodeId, launchId);
        try
        {
            Directory.CreateDirectory(path);
            return path;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The line a shell runs first to move itself into the cgroup, before the command can fork: a child forked earlier
    /// would stay outside. Quiet when it cannot (a sandbox shows no /sys).
    /// </summary>
    public static string ShellJoinLine(string cgroup) =>
        $"{{ printf %s $$ > '{Path.Combine(cgroup, "cgroup.procs").Replace("'", "'\\''", StringComparison.Ordinal)}'; }} 2>/dev/null\n";

    /// <summary>Moves a launched process into its cgroup (again, for a shell that did it itself); false when that failed.</summary>
    public static bool Move(string cgroup, int pid)
    {
        try
        {
            WriteControl(Path.Combine(cgroup, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Kills every process of a node's launches and removes their cgroups.</summary>
    public void KillNode(string clusterId, string nodeId)
    {
        var node = Path.Combine(_base, clusterId, nodeId);
        Kill(node);
        // A kill takes effect asynchronously: the cgroups empty within moments.
        for (var attempt = 0; attempt < 20 && !IsEmpty(node); attempt++)
        {
            Thread.Sleep(5);
        }
        Remove(node);
        Remove(Path.Combine(_base, clusterId));
        Remove(_base);
    }

    /// <summary>Kills every process in a cgroup and the cgroups below it (SIGKILL, by the kernel).</summary>
    public static void Kill(string path)
    {
        try
        {
            WriteControl(Path.Combine(path, "cgroup.kill"), "1");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone already, or never made.
        }
    }

    /// <summary>Whether a cgroup still holds a process.</summary>
    private static bool IsEmpty(string path)
    {
        try
        {
            return File.ReadAllText(Path.Combine(path, "cgroup.procs")).Length == 0
                && Directory.EnumerateDirectories(path).All(IsEmpty);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>Removes a cgroup and those below it that are empty (rmdir: one that still holds a process stays).</summary>
    public static void Remove(string path)
    {
        try
        {
            foreach (var child in Directory.EnumerateDirectories(path))
            {
                Remove(child);
            }
            Directory.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not empty yet (a kill takes effect asynchronously) or gone: a later release removes it.
        }
    }

    /// <summary>Where cgroup2 is mounted (the unified tree of a hybrid setup included), from /proc/self/mountinfo.</summary>
    private static string? Mount()
    {
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            // "id parent major:minor root mountpoint options ... - fstype source superoptions"
            var dash = line.IndexOf(" - ", StringComparison.Ordinal);
            if (dash < 0)
            {
                continue;
            }
            var after = line[(dash + 3)..].Split(' ');
            var before = line[..dash].Split(' ');
            if (after.Length > 0 && after[0] == "cgroup2" && before.Length > 5 && before[5].Split(',').Contains("rw"))
            {
                return before[4].Replace("\\040", " ", StringComparison.Ordinal);
            }
        }
        return null;
    }
}
