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
        PigArguments parsed;
        try
        {
            parsed = await PigArguments.ParseAsync(args, cancellationToken).ConfigureAwait(false);
            if (parsed.Help)
            {
                await stdout.WriteLineAsync(Usage).ConfigureAwait(false);
                return 0;
            }
            var bounds = parsed.Options;
            // A node's task environment can bound the engine without changing the step's command line.
            if (bounds.Threads is null && Environment.GetEnvironmentVariable(ThreadsVariable) is { Length: > 0 } threads)
            {
                bounds.Threads = int.TryParse(threads, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{ThreadsVariable}={threads}: give a positive whole number");
            }
            bounds.MemoryLimit ??= Environment.GetEnvironmentVariable(MemoryVariable) is { Length: > 0 } memory ? memory : null;
            if (parsed.ScriptPath is null == (parsed.Inline is null))
            {
                throw new ArgumentException("give a script (-f script.pig) or -e 'statements'");
            }
        }
        catch (ArgumentException e)
        {
            await stderr.WriteLineAsync($"sluice pig: {e.Message}\n{Usage}").ConfigureAwait(false);
            return 2;
        }
        var (scriptPath, inline, options, parameters) = (parsed.ScriptPath, parsed.Inline, parsed.Options, parsed.Parameters);
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

}
