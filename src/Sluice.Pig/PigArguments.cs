using System.Globalization;

namespace Sluice.Pig;

/// <summary>
/// Pig's own command line as <c>sluice pig</c> takes it (-f, -p/-param, -param_file, -e, -x, Sluice's engine bounds), read
/// once for the tool and for the server, which stages a Pig step's objects from the same parameters the tool will use.
/// </summary>
public sealed class PigArguments
{
    /// <summary>The script file (-f, or the one positional argument); null with -e.</summary>
    public string? ScriptPath { get; private set; }

    /// <summary>The statements of -e; null with a script file.</summary>
    public string? Inline { get; private set; }

    /// <summary>The parameters of -p, -param and -param_file, later ones winning; quotes around a value removed.</summary>
    public Dictionary<string, string> Parameters { get; } = new(StringComparer.Ordinal);

    /// <summary>The engine's bounds given on the command line.</summary>
    public PigEngineOptions Options { get; } = new();

    /// <summary>-h was given: print the usage and do nothing else.</summary>
    public bool Help { get; private set; }

    /// <summary>Reads the arguments (a -param_file is read here).</summary>
    /// <exception cref="ArgumentException">A usage error, saying which.</exception>
    public static async Task<PigArguments> ParseAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        var parsed = new PigArguments();
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{a} needs a value");
            switch (a)
            {
                case "-f" or "-file":
                    parsed.ScriptPath = Value();
                    break;
                case "-p" or "-param":
                    parsed.AddParameter(Value());
                    break;
                case "-param_file" or "-m":
                    foreach (var line in await File.ReadAllLinesAsync(Value(), cancellationToken).ConfigureAwait(false))
                    {
                        if (line.Trim().Length > 0 && !line.TrimStart().StartsWith('#'))
                        {
                            parsed.AddParameter(line.Trim());
                        }
                    }
                    break;
                case "-x" or "-exectype":
                    var mode = Value();
                    if (mode is not ("local" or "mapreduce" or "tez"))
                    {
                        throw new ArgumentException($"-x {mode}: sluice pig runs local (mapreduce and tez are accepted and run the same way)");
                    }
                    break;
                case "-e" or "-execute":
                    parsed.Inline = Value();
                    break;
                case "--memory-limit":
                    parsed.Options.MemoryLimit = Value();
                    break;
                case "--threads":
                    parsed.Options.Threads = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var t) && t > 0 ? t : throw new ArgumentException("--threads needs a positive whole number");
                    break;
                case "--temp-dir":
                    parsed.Options.TemporaryDirectory = Value();
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
                    parsed.Help = true;
                    return parsed;
                default:
                    if (a.StartsWith("-D", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal))
                    {
                        break;
                    }
                    if (a.StartsWith('-') && a.Length > 1)
                    {
                        throw new ArgumentException($"unknown option {a}");
                    }
                    if (parsed.ScriptPath is not null)
                    {
                        throw new ArgumentException($"one script only ('{parsed.ScriptPath}' and '{a}')");
                    }
                    parsed.ScriptPath = a;
                    break;
            }
        }
        return parsed;
    }

    private void AddParameter(string assignment)
    {
        var eq = assignment.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new ArgumentException($"a parameter is NAME=VALUE, not '{assignment}'");
        }
        var value = assignment[(eq + 1)..];
        if (value.Length >= 2 && ((value[0] == '\'' && value[^1] == '\'') || (value[0] == '"' && value[^1] == '"')))
        {
            value = value[1..^1];
        }
        Parameters[assignment[..eq].Trim()] = value;
    }
}
