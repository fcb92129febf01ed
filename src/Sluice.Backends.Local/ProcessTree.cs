using System.Globalization;
using System.Text;

namespace Sluice.Backends.Local;

/// <summary>
/// Finds and kills every process that belongs to a launch. Two ways of belonging are combined:
/// descent by parent pid from the launched process (catches children that scrubbed their
/// environment), and carrying the launch's marker variable in /proc/&lt;pid&gt;/environ (catches
/// daemonised double-forks that were re-parented to init or a subreaper, the classic escape from a
/// parent-pid walk; Jenkins' ProcessTreeKiller uses the same trick). A process that both
/// re-parented and scrubbed its environment escapes; so does one owned by another user.
/// </summary>
internal static class ProcessTree
{
    private const string ProcRoot = "/proc";

    /// <summary>
    /// Freezes (SIGSTOP) everything found so it cannot fork further, re-scans until nothing new
    /// appears, then SIGKILLs the lot. Returns how many processes were signalled.
    /// </summary>
    /// <param name="rootPids">The launched processes still running (none when they have exited).</param>
    /// <param name="markers">Environment entries (NAME=value) any of which marks a process as ours.</param>
    public static int Kill(IReadOnlyCollection<int> rootPids, IReadOnlyList<string> markers)
    {
        var victims = new HashSet<int>();
        var encodedMarkers = markers.Select(m => Encoding.UTF8.GetBytes(m + "\0")).ToArray();
        var self = Environment.ProcessId;
        for (var round = 0; round < 5; round++)
        {
            var found = Scan(rootPids, victims, encodedMarkers, self);
            var fresh = 0;
            foreach (var pid in found)
            {
                if (victims.Add(pid))
                {
                    fresh++;
                    _ = Native.Kill(pid, Native.SIGSTOP);
                }
            }
            if (fresh == 0)
            {
                break;
            }
        }
        foreach (var pid in victims)
        {
            _ = Native.Kill(pid, Native.SIGKILL);
        }
        return victims.Count;
    }

    /// <summary>The pids of the processes whose parent is <paramref name="parentPid"/>.</summary>
    public static List<int> ChildrenOf(int parentPid) =>
        ReadTable().Where(p => p.Ppid == parentPid).Select(p => p.Pid).ToList();

    /// <summary>The state letter of a process (R, S, Z...), or null when it no longer exists.</summary>
    public static char? StateOf(int pid) => TryReadStat(pid, out _, out var state) ? state : null;

    private static List<int> Scan(IReadOnlyCollection<int> rootPids, HashSet<int> known, byte[][] markers, int self)
    {
        var table = ReadTable();
        var result = new List<int>();
        var members = new HashSet<int>(known);
        foreach (var root in rootPids)
        {
            if (members.Add(root))
            {
                result.Add(root);
            }
        }

        // Descendants of anything already ours; repeat until closed because the table is unordered.
        bool grew;
        do
        {
            grew = false;
            foreach (var (pid, ppid, _) in table)
            {
                if (members.Contains(ppid) && members.Add(pid))
                {
                    result.Add(pid);
                    grew = true;
                }
            }
        }
        while (grew);

        if (markers.Length > 0)
        {
            foreach (var (pid, _, state) in table)
            {
                if (pid != self && state != 'Z' && !members.Contains(pid) && HasMarker(pid, markers))
                {
                    members.Add(pid);
                    result.Add(pid);
                }
            }
        }
        return result;
    }

    private static List<(int Pid, int Ppid, char State)> ReadTable()
    {
        var table = new List<(int, int, char)>(256);
        foreach (var dir in Directory.EnumerateDirectories(ProcRoot))
        {
            var name = Path.GetFileName(dir.AsSpan());
            if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) &&
                TryReadStat(pid, out var ppid, out var state))
            {
                table.Add((pid, ppid, state));
            }
        }
        return table;
    }

    private static bool TryReadStat(int pid, out int ppid, out char state)
    {
        ppid = 0;
        state = '?';
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
        // "pid (comm) S ppid ...": comm may contain spaces and parentheses, so parse after the last ')'.
        var close = stat.LastIndexOf(')');
        if (close < 0 || close + 4 > stat.Length)
        {
            return false;
        }
        var rest = stat.AsSpan(close + 2);
        state = rest[0];
        rest = rest[2..];
        var space = rest.IndexOf(' ');
        return space > 0 && int.TryParse(rest[..space], NumberStyles.None, CultureInfo.InvariantCulture, out ppid);
    }

    private static bool HasMarker(int pid, byte[][] markers)
    {
        byte[] environ;
        try
        {
            environ = File.ReadAllBytes($"/proc/{pid}/environ");
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
        foreach (var marker in markers)
        {
            // Each entry is NUL-terminated; match whole entries only (at the start or after a NUL).
            var span = environ.AsSpan();
            var at = span.IndexOf(marker);
            while (at >= 0)
            {
                var absolute = environ.Length - span.Length + at;
                if (absolute == 0 || environ[absolute - 1] == 0)
                {
                    return true;
                }
                span = span[(at + 1)..];
                at = span.IndexOf(marker);
            }
        }
        return false;
    }
}
