namespace Sluice.Streaming.Internal;

/// <summary>
/// Turns a mapper, reducer or combiner command into argv: its words when they are plain (the rule of
/// <see cref="ShellWords.TrySplitPlain"/>, the same as for tasks), else <c>/bin/sh -c</c>.
/// </summary>
internal static class CommandLine
{
    public static List<string> Split(string command)
    {
        if (ShellWords.TrySplitPlain(command, out var argv))
        {
            return [.. argv];
        }
        if (command.AsSpan().Trim(" \t").IsEmpty)
        {
            throw new StreamingUsageException("Empty command: give the mapper/reducer/combiner a program to run.");
        }
        return ["/bin/sh", "-c", command];
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
