using System.Globalization;

namespace Sluice.Backends.Local.Tests;

/// <summary>Reads /proc for the tests: process states, children, open descriptors.</summary>
internal static class ProcFs
{
    public static int OpenDescriptorCount() => Directory.EnumerateFileSystemEntries("/proc/self/fd").Count();

    /// <summary>What each open descriptor points at (pipe:[..], a path, anon_inode:..), for failure messages.</summary>
    public static List<string> OpenDescriptorTargets()
    {
        var result = new List<string>();
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                result.Add(new FileInfo(fd).LinkTarget ?? "?");
            }
            catch (IOException)
            {
            }
        }
        return result;
    }

    /// <summary>(pid, ppid, state) of every process.</summary>
    public static List<(int Pid, int Ppid, char State)> Table()
    {
        var result = new List<(int, int, char)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) &&
                Stat(pid) is { } stat)
            {
                result.Add((pid, stat.Ppid, stat.State));
            }
        }
        return result;
    }

    public static (int Ppid, char State)? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var rest = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return (int.Parse(rest[1], CultureInfo.InvariantCulture), rest[0][0]);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Dead means gone, or a zombie waiting for a parent that is not this test process.</summary>
    public static bool IsDead(int pid) => Stat(pid) is not { } s || (s.State == 'Z' && s.Ppid != Environment.ProcessId);

    public static List<int> DescendantsOf(int root)
    {
        var table = Table();
        var members = new HashSet<int> { root };
        var result = new List<int>();
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
        return result;
    }

    public static List<(int Pid, char State)> ChildrenOfThisProcess() =>
        Table().Where(p => p.Ppid == Environment.ProcessId).Select(p => (p.Pid, p.State)).ToList();
}
