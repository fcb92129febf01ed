using System.Diagnostics;
using System.Globalization;
using Sluice.Core.Ports;

namespace Sluice.Backends.Local;

/// <summary>
/// Runs each launch in a bubblewrap sandbox: new mount, PID, IPC and UTS namespaces, every capability dropped, no new
/// privileges. The process sees the system's directories read-only (<c>/usr</c>, <c>/etc</c>, <c>/opt</c> and the
/// links into <c>/usr</c>), the paths the server adds (the .NET runtime), its working directory read-write, a private
/// <c>/tmp</c>, <c>/proc</c> of its own namespace and a minimal <c>/dev</c>: not the data directory, the database, the
/// keys, other accounts' working directories or logs, nor any process outside the sandbox. The PID namespace ends with
/// the sandbox's first process (which the process-tree kill of a stop or timeout reaches), and the kernel then kills
/// everything in it, double-forked, setsid'd or with its environment scrubbed. When the server runs as root the task runs as an
/// unprivileged user without capabilities (bubblewrap builds the namespaces as root, <c>setpriv</c> inside drops to the
/// user), so even a file the view shows is read with that user's rights; otherwise it runs as the server's user in a
/// user namespace.
/// </summary>
internal sealed class TaskSandbox
{
    // System directories shown read-only when they exist; a link (Debian's /bin -> usr/bin) is recreated as a link.
    private static readonly string[] SystemPaths = ["/usr", "/etc", "/opt", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];

    // The probe's user: any unprivileged one will do to show the sandbox starts.
    private const int ProbeUid = 65534;

    private readonly string[] _prefix;
    private readonly string? _setpriv;
    // The server's directories and files (data, objects, configuration) a task must not see, as full paths.
    private readonly IReadOnlyList<string> _hidden;

    private TaskSandbox(string[] prefix, string? setpriv, string description, IReadOnlyList<string> hidden)
    {
        _prefix = prefix;
        _setpriv = setpriv;
        Description = description;
        _hidden = hidden;
    }

    /// <summary>Whether tasks are given a user of their own (the server runs as root); else they run as the server's user.</summary>
    public bool DropsToAccountUser => _setpriv is not null;

    /// <summary>What the sandbox does, for the start-up log.</summary>
    public string Description { get; }

    /// <summary>The sandbox the options ask for, checked by running <c>/bin/true</c> in it once.</summary>
    /// <exception cref="InvalidOperationException">Bubblewrap (or setpriv, as root) is missing, or the sandbox cannot start here; the message says why.</exception>
    public static TaskSandbox Create(LocalBackendOptions options, string? systemPath)
    {
        ArgumentNullException.ThrowIfNull(options);
        var bwrap = Executable(options.BubblewrapPath, systemPath)
            ?? throw new InvalidOperationException($"task isolation needs bubblewrap: '{options.BubblewrapPath}' is not an executable on PATH (Debian: apt-get install bubblewrap)");
        var prefix = new List<string> { bwrap };
        string? setpriv = null;
        if (Native.GetUid() == 0)
        {
            // As root bubblewrap needs no user namespace (which would map the task to root outside): it builds the
            // namespaces, and setpriv inside drops to the account's unprivileged user with every capability gone.
            setpriv = Executable("setpriv", systemPath)
                ?? throw new InvalidOperationException("task isolation as root needs setpriv (util-linux) to run tasks as an unprivileged user");
            prefix.AddRange(["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]);
        }
        else
        {
            prefix.AddRange(["--unshare-user", "--cap-drop", "ALL"]);
        }
        // No --die-with-parent: its signal follows the thread that started bubblewrap, and the runtime retires pool threads.
        prefix.AddRange(["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]);
        foreach (var path in SystemPaths.Concat(options.SandboxReadOnlyPaths).Distinct(StringComparer.Ordinal))
        {
            AddReadOnly(prefix, path);
        }
        foreach (var hidden in options.SandboxHiddenPaths.Where(Directory.Exists))
        {
            // A server directory under a shown one (a data directory in /opt) is covered by an empty one.
            prefix.AddRange(["--tmpfs", Path.GetFullPath(hidden)]);
        }
        prefix.AddRange(["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]);

        var user = setpriv is not null
            ? $"each account's own uid from {options.SandboxFirstUid}"
            : $"the server's user ({Environment.UserName})";
        var sandbox = new TaskSandbox([.. prefix], setpriv,
            $"bubblewrap sandbox as {user}: system directories read-only, the working directory read-write, a private /tmp, own PID namespace",
            [.. options.SandboxHiddenPaths.Select(Path.GetFullPath).Select(Path.TrimEndingDirectorySeparator)]);
        sandbox.Check();
        return sandbox;
    }

    /// <summary>
    /// The program and argv that run <paramref name="arguments"/> in the sandbox with <paramref name="workingDirectory"/> as
    /// its cwd, as <paramref name="uid"/> (uid and gid) when <see cref="DropsToAccountUser"/>.
    /// </summary>
    /// <param name="arguments">argv of what runs inside.</param>
    /// <param name="workingDirectory">Shown read-write and made the cwd.</param>
    /// <param name="readOnlyPaths">More paths shown read-only.</param>
    /// <param name="uid">The account's user.</param>
    /// <param name="writablePaths">More directories shown read-write; with the read-only ones, outer folders are bound first, so one may lie inside another.</param>
    /// <param name="onTerminal">
    /// For a node shell on its own pty: the sandbox keeps the session, so the pty stays the shell's controlling terminal (job
    /// control, <c>tty</c>), and shows the machine's <c>/dev/pts</c> so the shell finds its terminal by name. A task gets a
    /// session of its own instead (<c>--new-session</c>), so it cannot push input into a terminal the server was started from.
    /// </param>
    public (string Program, List<string> Arguments) Wrap(IReadOnlyList<string> arguments, string workingDirectory, IReadOnlyList<string> readOnlyPaths, int uid, bool onTerminal = false, IReadOnlyList<string>? writablePaths = null)
    {
        writablePaths ??= [];
        var argv = new List<string>(_prefix.Length + (readOnlyPaths.Count + writablePaths.Count) * 3 + arguments.Count + 10);
        argv.AddRange(_prefix);
        argv.AddRange(onTerminal ? ["--dev-bind", "/dev/pts", "/dev/pts"] : ["--new-session"]);
        // Outer folders first, so a path inside another is bound over it, not under it; after each, the server's hidden
        // paths inside it are covered again (a program directory may hold the data directory or its configuration).
        foreach (var (path, writable) in readOnlyPaths.Select(p => (Path: p, Writable: false)).Concat(writablePaths.Select(p => (Path: p, Writable: true)))
            .OrderBy(b => Path.TrimEndingDirectorySeparator(b.Path).Length))
        {
            AddTraversableParents(argv, path);
            argv.AddRange([writable ? "--bind" : "--ro-bind-try", path, path]);
            var inside = Path.TrimEndingDirectorySeparator(path) + Path.DirectorySeparatorChar;
            foreach (var hidden in _hidden.Where(h => h.StartsWith(inside, StringComparison.Ordinal)))
            {
                argv.AddRange(Directory.Exists(hidden) ? ["--tmpfs", hidden] : ["--ro-bind", "/dev/null", hidden]);
            }
        }
        argv.AddRange(["--bind", workingDirectory, workingDirectory, "--chdir", workingDirectory, "--"]);
        if (_setpriv is not null)
        {
            var id = uid.ToString(CultureInfo.InvariantCulture);
            argv.AddRange([_setpriv, $"--reuid={id}", $"--regid={id}", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--"]);
        }
        argv.AddRange(arguments);
        return (argv[0], argv);
    }

    /// <summary>
    /// Gives the working directory (with what the package and mounts put in it) to the sandbox's user, so the task can
    /// write and delete there as it could as the server's user. Links are changed, not followed.
    /// </summary>
    /// <param name="directory">The working directory.</param>
    /// <param name="uid">The account's user.</param>
    /// <param name="withContents">False for a node's directory, whose task directories below were given at their launches.</param>
    public void PrepareWorkingDirectory(string directory, int uid, bool withContents = true)
    {
        if (_setpriv is null)
        {
            return;
        }
        var owner = (uid, uid);
        Chown(directory, owner);
        if (!withContents)
        {
            return;
        }
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            Chown(entry, owner);
        }
    }

    private static void Chown(string path, (int Uid, int Gid) owner)
    {
        if (Native.LChown(path, owner.Uid, owner.Gid) != 0)
        {
            throw new IOException($"cannot give {path} to uid {owner.Uid}: error {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        }
    }

    private void Check()
    {
        var probe = Path.Combine(Path.GetTempPath(), "sluice-sandbox-check-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(probe);
        try
        {
            PrepareWorkingDirectory(probe, ProbeUid);
            var (program, argv) = Wrap(["/bin/sh", "-c", "test -w ."], probe, [], ProbeUid);
            var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var argument in argv.Skip(1))
            {
                start.ArgumentList.Add(argument);
            }
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException("task isolation: a sandboxed /bin/sh did not end within 30 s");
            }
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"task isolation: bubblewrap cannot run a task here (exit {process.ExitCode.ToString(CultureInfo.InvariantCulture)}: {error.Result.Trim()}); user namespaces may be disabled (sysctl kernel.unprivileged_userns_clone, user.max_user_namespaces)");
            }
        }
        finally
        {
            Directory.Delete(probe, recursive: true);
        }
    }

    /// <summary>
    /// Bubblewrap makes the folders above a bind that the view lacks with mode 0700, which the account's user (when the
    /// task drops to one) cannot pass through: they are made 0755 first. Each shows nothing but the names on the way.
    /// </summary>
    private static void AddTraversableParents(List<string> argv, string path)
    {
        var parents = new List<string>();
        for (var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(path)); parent is { Length: > 1 }; parent = Path.GetDirectoryName(parent))
        {
            parents.Add(parent);
        }
        for (var i = parents.Count - 1; i >= 0; i--)
        {
            argv.AddRange(["--perms", "0755", "--dir", parents[i]]);
        }
    }

    private static void AddReadOnly(List<string> argv, string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is { } target)
        {
            argv.AddRange(["--symlink", target, path]);
        }
        else if (Directory.Exists(path) || File.Exists(path))
        {
            argv.AddRange(["--ro-bind", path, path]);
        }
    }

    /// <summary>The program found as a launch finds it (<see cref="LocalBackend.ResolveProgram"/>), and only when it is executable.</summary>
    private static string? Executable(string name, string? systemPath) =>
        LocalBackend.ResolveProgram(name, "/", systemPath) is { } found && Native.Access(found, Native.X_OK) == 0 ? found : null;
}
