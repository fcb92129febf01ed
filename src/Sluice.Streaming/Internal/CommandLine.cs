namespace Sluice.Streaming.Internal;

/// <summary>Turns a command string into argv: split on blanks when plain, <c>/bin/sh -c</c> when the shell is needed.</summary>
internal static class CommandLine
{
    // Anything here means quoting, expansion, redirection or control flow: only a shell gets it right.
    private static readonly System.Buffers.SearchValues<char> ShellMetacharacters =
        System.Buffers.SearchValues.Create("|&;<>()$`\\\"'*?[]#~=%{}!\n");

    public static List<string> Split(string command)
    {
        if (command.AsSpan().IndexOfAny(ShellMetacharacters) >= 0)
        {
            return ["/bin/sh", "-c", command];
        }
        var argv = command.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).ToList();
        if (argv.Count == 0)
        {
            throw new StreamingUsageException("Empty command: give the mapper/reducer/combiner a program to run.");
        }
        return argv;
    }

    /// <summary>
    /// Resolves argv[0] like Hadoop streaming: a program shipped into the working directory (with
    /// <c>-files</c>) wins, then PATH.
    /// </summary>
    public static string ResolveProgram(string program, string workingDirectory)
    {
        if (Path.IsPathRooted(program))
        {
            return program;
        }
        var local = Path.Combine(workingDirectory, program);
        if (program.Contains('/', StringComparison.Ordinal) || File.Exists(local))
        {
            EnsureExecutable(local);
            return local;
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return program;
    }

    private static void EnsureExecutable(string path)
    {
        // Hadoop chmods shipped programs a+x; shipped files often lose the bit on the way.
        try
        {
            if (File.Exists(path) && !OperatingSystem.IsWindows())
            {
                var mode = File.GetUnixFileMode(path);
                const UnixFileMode exec = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
                if ((mode & UnixFileMode.UserExecute) == 0)
                {
                    File.SetUnixFileMode(path, mode | exec);
                }
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
