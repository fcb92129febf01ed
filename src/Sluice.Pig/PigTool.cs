using System.Globalization;
using Sluice.Streaming;

namespace Sluice.Pig;

/// <summary>
/// The <c>sluice pig</c> command, with Pig's own command line: <c>[-f] script.pig</c>, <c>-p K=V</c> /
/// <c>-param K=V</c>, <c>-param_file F</c>, <c>-x local|mapreduce|tez</c> (all run here), <c>-e 'statements'</c>, plus
/// Sluice's <c>--memory-limit</c> and <c>--threads</c>. This is also what a Pig step runs on a node. Errors go to
/// stderr; exit codes: 0 succeeded, 1 the script failed, 2 usage error.
/// </summary>
public static class PigTool
{
    /// <summary>DuckDB's threads when <c>--threads</c> is not given.</summary>
    public const string ThreadsVariable = "SLUICE_PIG_THREADS";

    /// <summary>DuckDB's memory limit (e.g. <c>2GB</c>) when <c>--memory-limit</c> is not given.</summary>
    public const string MemoryVariable = "SLUICE_PIG_MEMORY_LIMIT";

    private const string Usage = "usage: sluice pig [-f] script.pig [-p NAME=VALUE]... [-param NAME=VALUE]... [-param_file FILE] [-x local] [-e 'statements'] [--memory-limit 2GB] [--threads N]";

    /// <param name="args">The arguments after <c>pig</c>.</param>
    /// <param name="stdout">Where DUMP and DESCRIBE print.</param>
    /// <param name="stderr">Where errors go.</param>
    /// <param name="store">Opens the object store; called only when the script or a parameter names a URI.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, Func<IStreamingStore>? store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        string? scriptPath = null;
        string? inline = null;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        var options = new PigEngineOptions();
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                var a = args[i];
                string Value() => i + 1 < args.Length ? args[++i] : throw new PigUsageException($"{a} needs a value");
                switch (a)
                {
                    case "-f" or "-file":
                        scriptPath = Value();
                        break;
                    case "-p" or "-param":
                        AddParameter(parameters, Value());
                        break;
                    case "-param_file" or "-m":
                        foreach (var line in await File.ReadAllLinesAsync(Value(), cancellationToken).ConfigureAwait(false))
                        {
                            if (line.Trim().Length > 0 && !line.TrimStart().StartsWith('#'))
                            {
                                AddParameter(parameters, line.Trim());
                            }
                        }
                        break;
                    case "-x" or "-exectype":
                        var mode = Value();
                        if (mode is not ("local" or "mapreduce" or "tez"))
                        {
                            throw new PigUsageException($"-x {mode}: sluice pig runs local (mapreduce and tez are accepted and run the same way)");
                        }
                        break;
                    case "-e" or "-execute":
                        inline = Value();
                        break;
                    case "--memory-limit":
                        options.MemoryLimit = Value();
                        break;
                    case "--threads":
                        options.Threads = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var t) && t > 0 ? t : throw new PigUsageException("--threads needs a positive whole number");
                        break;
                    case "--temp-dir":
                        options.TemporaryDirectory = Value();
                        break;
                    case "-l" or "-logfile" or "-4" or "-log4jconf" or "-P" or "-propertyFile":
                        Value();
                        break;
                    case "-w" or "-warning" or "-F" or "-stop_on_failure" or "-M" or "-no_multiquery" or "-b" or "-brief":
                        break;
                    case "-D":
                        Value();
                        break;
                    case "-h" or "-help" or "--help":
                        await stdout.WriteLineAsync(Usage).ConfigureAwait(false);
                        return 0;
                    default:
                        if (a.StartsWith("-D", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal))
                        {
                            break;
                        }
                        if (a.StartsWith('-') && a.Length > 1)
                        {
                            throw new PigUsageException($"unknown option {a}");
                        }
                        if (scriptPath is not null)
                        {
                            throw new PigUsageException($"one script only ('{scriptPath}' and '{a}')");
                        }
                        scriptPath = a;
                        break;
                }
            }
            // A node's task environment can bound the engine without changing the step's command line.
            if (options.Threads is null && Environment.GetEnvironmentVariable(ThreadsVariable) is { Length: > 0 } threads)
            {
                options.Threads = int.TryParse(threads, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new PigUsageException($"{ThreadsVariable}={threads}: give a positive whole number");
            }
            options.MemoryLimit ??= Environment.GetEnvironmentVariable(MemoryVariable) is { Length: > 0 } memory ? memory : null;
            if (scriptPath is null == (inline is null))
            {
                throw new PigUsageException("give a script (-f script.pig) or -e 'statements'");
            }
        }
        catch (PigUsageException e)
        {
            await stderr.WriteLineAsync($"sluice pig: {e.Message}\n{Usage}").ConfigureAwait(false);
            return 2;
        }
        string script;
        try
        {
            script = inline ?? await File.ReadAllTextAsync(scriptPath!, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"sluice pig: cannot read the script {scriptPath}: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        try
        {
            var needsStore = script.Contains("://", StringComparison.Ordinal) || parameters.Values.Any(v => v.Contains("://", StringComparison.Ordinal));
            await new PigEngine(options, needsStore ? store?.Invoke() : null).RunAsync(script, parameters, stdout, cancellationToken).ConfigureAwait(false);
            await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (PigException e)
        {
            var file = scriptPath is null ? "" : $"<file {Path.GetFileName(scriptPath)}> ";
            await stderr.WriteLineAsync($"ERROR {e.Code}: {file}{e.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("sluice pig: cancelled").ConfigureAwait(false);
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"ERROR 2997: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    private static void AddParameter(Dictionary<string, string> parameters, string assignment)
    {
        var eq = assignment.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new PigUsageException($"a parameter is NAME=VALUE, not '{assignment}'");
        }
        var value = assignment[(eq + 1)..];
        if (value.Length >= 2 && ((value[0] == '\'' && value[^1] == '\'') || (value[0] == '"' && value[^1] == '"')))
        {
            value = value[1..^1];
        }
        parameters[assignment[..eq].Trim()] = value;
    }

    private sealed class PigUsageException(string message) : Exception(message);
}
