using System.Globalization;

namespace Sluice.Hive;

/// <summary>
/// The Hive CLI's command line: <c>-f FILE</c>, <c>-e 'STATEMENTS'</c>, <c>-i FILE</c>, <c>--hivevar K=V</c> (also
/// <c>-hivevar</c>), <c>-d K=V</c>/<c>--define K=V</c>, <c>--hiveconf K=V</c> (also <c>-hiveconf</c>), <c>-S</c>, <c>-v</c>,
/// <c>--database default</c>; and Sluice's own <c>--metastore DIR</c>, <c>--memory 2GB</c>, <c>--threads N</c>.
/// </summary>
public sealed class HiveArguments
{
    /// <summary>The script file (-f).</summary>
    public string? File { get; private set; }

    /// <summary>Statements given inline (-e).</summary>
    public string? Execute { get; private set; }

    /// <summary>Init files (-i), run first.</summary>
    public List<string> InitFiles { get; } = [];

    /// <summary>Variables (--hivevar, -d, --define).</summary>
    public Dictionary<string, string> HiveVars { get; } = new(StringComparer.Ordinal);

    /// <summary>Settings (--hiveconf).</summary>
    public Dictionary<string, string> HiveConf { get; } = new(StringComparer.Ordinal);

    /// <summary>--metastore DIR; null: from SLUICE_HIVE_METASTORE, else the caller's default.</summary>
    public string? Metastore { get; private set; }

    /// <summary>--memory, DuckDB's memory limit.</summary>
    public string? Memory { get; private set; }

    /// <summary>--threads, DuckDB's threads.</summary>
    public int? Threads { get; private set; }

    /// <summary>Parses; a usage error throws <see cref="ArgumentException"/> with the message to print.</summary>
    public static HiveArguments Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var parsed = new HiveArguments();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            (string Key, string Value) Pair()
            {
                var text = Value();
                var eq = text.IndexOf('=', StringComparison.Ordinal);
                return eq > 0 ? (text[..eq], text[(eq + 1)..]) : throw new ArgumentException($"{arg} needs KEY=VALUE, not '{text}'");
            }
            switch (arg)
            {
                case "-f":
                    parsed.File = Value();
                    break;
                case "-e":
                    parsed.Execute = Value();
                    break;
                case "-i":
                    parsed.InitFiles.Add(Value());
                    break;
                case "--hivevar" or "-hivevar" or "-d" or "--define" or "-define":
                    var (k, v) = Pair();
                    parsed.HiveVars[k] = v;
                    break;
                case "--hiveconf" or "-hiveconf":
                    var (ck, cv) = Pair();
                    parsed.HiveConf[ck] = cv;
                    break;
                case "--database" or "-database":
                    var database = Value();
                    if (database != "default")
                    {
                        throw new ArgumentException($"--database {database}: only the 'default' database exists");
                    }
                    break;
                case "-S" or "--silent" or "-v" or "--verbose":
                    break;
                case "--metastore":
                    parsed.Metastore = Value();
                    break;
                case "--memory":
                    parsed.Memory = Value();
                    break;
                case "--threads":
                    parsed.Threads = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var threads) && threads > 0
                        ? threads
                        : throw new ArgumentException("--threads needs a positive whole number");
                    break;
                default:
                    throw new ArgumentException($"unknown option '{arg}' (usage: sluice hive -f FILE | -e 'STATEMENTS' [--hivevar K=V] [-d K=V] [--hiveconf K=V] [-i FILE] [--metastore DIR])");
            }
        }
        if ((parsed.File is null) == (parsed.Execute is null))
        {
            throw new ArgumentException("give one of -f FILE or -e 'STATEMENTS'");
        }
        return parsed;
    }
}
