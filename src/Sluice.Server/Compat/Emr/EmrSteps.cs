using System.Globalization;
using System.Text.Json.Nodes;
using Sluice.Contracts;
using Sluice.Core.Model;
using Sluice.Core.Steps;
using Sluice.Streaming;

namespace Sluice.Server.Compat.Emr;

/// <summary>
/// EMR's <c>HadoopJarStep</c> as a Sluice step, by EMR's own conventions: <c>command-runner.jar</c> runs
/// <c>spark-submit</c> (Spark), <c>hive-script --run-hive-script --args -f …</c> (Hive), <c>pig-script
/// --run-pig-script --args -f …</c> (Pig), <c>hadoop-streaming …</c> (Streaming) or any other command (Command);
/// a jar ending <c>hadoop-streaming.jar</c> is a Streaming step; a jar ending <c>script-runner.jar</c> fetches its first
/// argument and runs it; any other jar is a Java step. And back: a step's configuration as EMR shows it.
/// </summary>
internal static class EmrSteps
{
    public const string CommandRunner = "command-runner.jar";
    private const string ScriptRunner = "script-runner.jar";
    private const string ScriptPrefix = "chmod +x ./";

    /// <summary>spark-submit options that take no value.</summary>
    private static readonly HashSet<string> SparkFlags = new(StringComparer.Ordinal) { "--verbose", "-v", "--supervise", "--help", "-h", "--version" };

    public static StepConfig ToStep(JsonNode? node, string field)
    {
        var step = EmrInput.Object(node, field) ?? throw EmrException.Invalid($"{field} is required");
        var name = EmrInput.RequireString(step["Name"], $"{field}.Name");
        var action = EmrNames.ToActionOnFailure(EmrInput.String(step["ActionOnFailure"], $"{field}.ActionOnFailure"), $"{field}.ActionOnFailure");
        var jarStep = EmrInput.Object(step["HadoopJarStep"], $"{field}.HadoopJarStep") ?? throw EmrException.Invalid($"{field}.HadoopJarStep is required");
        var jar = EmrInput.RequireString(jarStep["Jar"], $"{field}.HadoopJarStep.Jar");
        var mainClass = EmrInput.String(jarStep["MainClass"], $"{field}.HadoopJarStep.MainClass");
        var args = EmrInput.Strings(jarStep["Args"], $"{field}.HadoopJarStep.Args");
        if (EmrInput.List(jarStep["Properties"], $"{field}.HadoopJarStep.Properties").Count > 0)
        {
            throw EmrException.Invalid($"{field}.HadoopJarStep.Properties (Java system properties) are not supported; pass them as -D arguments");
        }
        var config = new StepConfig { Name = name, ActionOnFailure = action };
        var at = $"{field}.HadoopJarStep";
        if (jar == CommandRunner || jar.EndsWith("/" + CommandRunner, StringComparison.Ordinal))
        {
            return CommandRunnerStep(config, args, at);
        }
        if (jar.EndsWith("hadoop-streaming.jar", StringComparison.Ordinal))
        {
            return Streaming(config, args, at);
        }
        if (jar.EndsWith(ScriptRunner, StringComparison.Ordinal))
        {
            if (args.Count == 0)
            {
                throw EmrException.Invalid($"{at}.Args: script-runner.jar needs the script to run as its first argument");
            }
            var script = args[0];
            var local = ScriptName(script);
            config.Type = "Command";
            config.AdditionalFiles = [new StepFile { Remote = script, Local = local }];
            // Fetched into the working directory like EMR's script-runner, which runs the script itself (its #! line).
            config.Properties = new StepProperties { CommandLine = $"{ScriptPrefix}{local} && ./{local}", Arguments = args[1..] };
            return config;
        }
        config.Type = "Java";
        config.Properties = new StepProperties { Jar = jar, MainClass = mainClass, Arguments = args };
        return config;
    }

    private static StepConfig CommandRunnerStep(StepConfig config, List<string> args, string at)
    {
        if (args.Count == 0)
        {
            throw EmrException.Invalid($"{at}.Args: command-runner.jar needs a command, such as [\"spark-submit\", …] or [\"echo\", \"hello\"]");
        }
        var rest = args[1..];
        switch (args[0])
        {
            case "hadoop-streaming":
                return Streaming(config, rest, at);
            case "spark-submit":
                return Spark(config, rest, at);
            case "hive-script":
                return Script(config, "Hive", rest, "--run-hive-script", at);
            case "pig-script":
                return Script(config, "Pig", rest, "--run-pig-script", at);
            default:
                config.Type = "Command";
                config.Properties = new StepProperties { CommandLine = ShellWords.Quote(args[0]), Arguments = rest };
                return config;
        }
    }

    /// <summary><c>hive-script --run-hive-script --args -f SCRIPT [hive arguments]</c>, and pig-script's likewise.</summary>
    private static StepConfig Script(StepConfig config, string type, List<string> args, string runFlag, string at)
    {
        var i = 0;
        if (i < args.Count && args[i] == runFlag)
        {
            i++;
        }
        if (i < args.Count && args[i] == "--args")
        {
            i++;
        }
        var rest = new List<string>();
        string? script = null;
        for (; i < args.Count; i++)
        {
            if (args[i] == "-f" && i + 1 < args.Count && script is null)
            {
                script = args[++i];
            }
            else
            {
                rest.Add(args[i]);
            }
        }
        config.Type = type;
        config.Properties = new StepProperties
        {
            Script = script ?? throw EmrException.Invalid($"{at}.Args: a {type} step needs its script as -f s3://bucket/script ({args[0..Math.Min(args.Count, 3)].Count} arguments given without -f)"),
            Arguments = rest,
        };
        return config;
    }

    private static StepConfig Spark(StepConfig config, List<string> args, string at)
    {
        var options = new List<string>();
        string? mainClass = null;
        var i = 0;
        for (; i < args.Count && args[i].StartsWith('-'); i++)
        {
            var option = args[i];
            if (SparkFlags.Contains(option) || option.Contains('=', StringComparison.Ordinal))
            {
                options.Add(option);
                continue;
            }
            if (i + 1 >= args.Count)
            {
                throw EmrException.Invalid($"{at}.Args: spark-submit option {option} needs a value");
            }
            if (option == "--class")
            {
                mainClass = args[++i];
                continue;
            }
            options.AddRange([option, args[++i]]);
        }
        if (i >= args.Count)
        {
            throw EmrException.Invalid($"{at}.Args: spark-submit needs the application jar or .py file after its options");
        }
        config.Type = "Spark";
        config.Properties = new StepProperties { Jar = args[i], MainClass = mainClass, SubmitOptions = options, Arguments = args[(i + 1)..] };
        return config;
    }

    /// <summary>
    /// Hadoop streaming's options as a Streaming step. A mapper, reducer or combiner whose program is an object URI
    /// (boto 2's <c>s3n://bucket/wordSplitter.py</c>) is shipped with the task as a cache file and run by its name, as
    /// EMR's streaming did.
    /// </summary>
    private static StepConfig Streaming(StepConfig config, List<string> args, string at)
    {
        var p = new StepProperties { Input = [], CacheFiles = [], CacheArchives = [], Arguments = [] };
        for (var i = 0; i < args.Count; i++)
        {
            var option = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw EmrException.Invalid($"{at}.Args: hadoop-streaming option {option} needs a value");
            switch (option)
            {
                case "-input":
                    p.Input.AddRange(Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "-output":
                    p.Output = Value();
                    break;
                case "-mapper":
                    p.Mapper = Shipped(Value(), p);
                    break;
                case "-reducer":
                    p.Reducer = Shipped(Value(), p);
                    break;
                case "-combiner":
                    p.Combiner = Shipped(Value(), p);
                    break;
                case "-numReduceTasks":
                    p.NumReduceTasks = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
                        : throw EmrException.Invalid($"{at}.Args: -numReduceTasks needs a whole number");
                    break;
                case "-files":
                    p.CacheFiles.AddRange(Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "-file" or "-cacheFile":
                    p.CacheFiles.Add(Value());
                    break;
                case "-archives":
                    p.CacheArchives.AddRange(Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "-cacheArchive":
                    p.CacheArchives.Add(Value());
                    break;
                case "-D" or "-jobconf" or "-cmdenv" or "-partitioner":
                    p.Arguments.AddRange([option, Value()]);
                    break;
                default:
                    // -Dkey=value, -verbose, and anything streaming refuses (the step validator names it).
                    p.Arguments.Add(option);
                    break;
            }
        }
        config.Type = "Streaming";
        config.Properties = p;
        return config;
    }

    /// <summary>A command whose program is an object URI, as the program's file name with the URI added to the cache files.</summary>
    private static string Shipped(string command, StepProperties p)
    {
        var space = command.IndexOf(' ', StringComparison.Ordinal);
        var program = space < 0 ? command : command[..space];
        if (!ObjectStepFileResolver.IsObjectUri(program))
        {
            return command;
        }
        var name = ScriptName(program);
        p.CacheFiles!.Add($"{program}#{name}");
        return space < 0 ? name : name + command[space..];
    }

    private static string ScriptName(string uri)
    {
        var name = uri.TrimEnd('/');
        name = name[(name.LastIndexOf('/') + 1)..];
        return name.Length == 0 || name is "." or ".." ? throw EmrException.Invalid($"'{uri}' does not name a file") : name;
    }

    /// <summary>The step's HadoopJarStep as EMR shows it, rebuilt from the Sluice step by the same conventions.</summary>
    public static (string Jar, string? MainClass, List<string> Args) ToConfig(Step step)
    {
        var p = step.Properties;
        var args = p.Arguments ?? [];
        switch (step.Type)
        {
            case StepType.Java:
                return (p.Jar ?? "", p.MainClass, [.. args]);
            case StepType.Streaming:
                return (CommandRunner, null, ["hadoop-streaming", .. StepRequestValidator.StreamingArgv(p, u => u, u => u)]);
            case StepType.Hive:
                return (CommandRunner, null, ["hive-script", "--run-hive-script", "--args", "-f", p.Script ?? "", .. args]);
            case StepType.Pig:
                return (CommandRunner, null, ["pig-script", "--run-pig-script", "--args", "-f", p.Script ?? "", .. args]);
            case StepType.Spark:
                return (CommandRunner, null, ["spark-submit", .. p.MainClass is null ? Array.Empty<string>() : ["--class", p.MainClass], .. p.SubmitOptions ?? [], p.Jar ?? "", .. args]);
            default:
                if (step.AdditionalFiles.Count == 1 && p.CommandLine?.StartsWith(ScriptPrefix, StringComparison.Ordinal) == true)
                {
                    return (ScriptRunner, null, [step.AdditionalFiles[0].Remote ?? "", .. args]);
                }
                var program = p.CommandLine ?? "";
                return (CommandRunner, null, [ShellWords.TrySplitPlain(program, out var words) && words.Count == 1 ? words[0] : program, .. args]);
        }
    }
}
