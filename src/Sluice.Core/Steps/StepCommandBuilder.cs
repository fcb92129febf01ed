using System.Globalization;
using Microsoft.Extensions.Options;
using Sluice.Core.Model;

namespace Sluice.Core.Steps;

/// <summary>
/// Builds the command line of a step that runs as one process (Java, Hive, Pig, Spark, Command) from its
/// properties and the cluster's application launchers. Streaming steps run on the streaming engine instead.
/// </summary>
public sealed class StepCommandBuilder(ApplicationCatalog applications, IStepFileResolver files, IOptions<SluiceOptions> options)
{
    /// <summary>The resolver the step's paths go through.</summary>
    public IStepFileResolver Files => files;

    /// <summary>The argument vector, program first. A Command step's line is returned as given (it may need a shell).</summary>
    /// <param name="cluster">The step's cluster.</param>
    /// <param name="step">The step.</param>
    /// <param name="fetched">Local copies of the step's object-URI files (see <see cref="FilesToFetch"/>), by URI.</param>
    public IReadOnlyList<string> Argv(Cluster cluster, Step step, IReadOnlyDictionary<string, string>? fetched = null)
    {
        string Local(string? uri, string field) => fetched is not null && uri is not null && fetched.TryGetValue(uri, out var path) ? path : files.ToLocalPath(uri ?? "", field);
        var p = step.Properties;
        var args = p.Arguments ?? [];
        switch (step.Type)
        {
            case StepType.Java:
                var jar = Local(p.Jar, "jar");
                if (applications.ForCluster(cluster, "hadoop") is { } hadoop)
                {
                    return [hadoop.Command, "jar", jar, .. Optional(p.MainClass), .. args];
                }
                return string.IsNullOrEmpty(p.MainClass)
                    ? [options.Value.JavaCommand, "-jar", jar, .. args]
                    : [options.Value.JavaCommand, "-cp", jar, p.MainClass, .. args];
            case StepType.Hive:
                return [.. Launcher(cluster, "hive"), "-f", Local(p.Script, "script"), .. Variables("-d", p), .. args];
            case StepType.Pig:
                return [.. Launcher(cluster, "pig"), .. Variables("-p", p), .. args, "-f", Local(p.Script, "script")];
            case StepType.Spark:
                return [.. Launcher(cluster, "spark"), .. SparkFlags(p, Local), .. p.SubmitOptions ?? [], Local(p.Jar, "jar"), .. args];
            case StepType.Command:
                return [p.CommandLine ?? "", .. args];
            default:
                throw new InvalidOperationException($"a {step.Type} step does not run as one process");
        }
    }

    /// <summary>
    /// The command line handed to the backend: additional files are copied into the working directory first,
    /// then the step's program runs (a Command step's line through the shell as written).
    /// </summary>
    public string CommandLine(Cluster cluster, Step step, IReadOnlyDictionary<string, string>? fetched = null)
    {
        var argv = Argv(cluster, step, fetched);
        var command = step.Type == StepType.Command
            ? string.Join(' ', [argv[0], .. argv.Skip(1).Select(ShellWords.Quote)])
            : ShellWords.Join(argv);
        if (step.AdditionalFiles.Count == 0)
        {
            return command;
        }
        if (step.Type == StepType.Spark && step.AdditionalFiles.Any(f => SparkConfigurationFiles.Contains(f.Local!)))
        {
            // spark-submit reads spark-defaults.conf and spark-env.sh (and puts core-site.xml on the classpath) from
            // SPARK_CONF_DIR: the files copied into the working directory are the step's configuration.
            command = "SPARK_CONF_DIR=\"$PWD\" " + command;
        }
        var copies = step.AdditionalFiles.Select(f => ShellWords.Join(["cp", "-R", "--", fetched is not null && fetched.TryGetValue(f.Remote!, out var copy) ? copy : files.ToLocalPath(f.Remote!, "additionalFiles.remote"), f.Local!]));
        return string.Join(" && ", copies) + " && " + (step.Type == StepType.Command ? $"{{ {command}\n}}" : command);
    }

    /// <summary>
    /// The program that runs the application's steps: the registered one, else for hive and pig the Sluice program's own
    /// <c>hive</c>/<c>pig</c> command (found as the streaming worker is).
    /// </summary>
    private IReadOnlyList<string> Launcher(Cluster cluster, string application)
    {
        var launcher = applications.ForCluster(cluster, application)
            ?? throw new ServiceException(Contracts.ErrorCodes.ApplicationNotInstalled, $"cluster {cluster.Id} has no application '{application}'");
        return launcher.BuiltIn switch
        {
            null => [launcher.Command],
            ApplicationCatalog.NotProvided => throw new ServiceException(Contracts.ErrorCodes.ApplicationNotInstalled,
                $"the application '{application}' is accepted on cluster {cluster.Id} but not provided by this server (see docs/hive.md); register a launcher with `sluice up --application {application}=/path/to/program`"),
            var builtIn => [.. StreamingWorkerCommand.Resolve(options.Value)
                ?? throw new ServiceException(Contracts.ErrorCodes.ApplicationNotInstalled, $"the built-in {builtIn} engine needs the sluice program: run the server from it, or set SluiceOptions.StreamingWorkerCommand"), builtIn],
        };
    }

    /// <summary>True when the cluster's <paramref name="application"/> runs on Sluice's embedded engine (no program registered).</summary>
    public bool IsBuiltIn(Cluster cluster, string application) =>
        applications.ForCluster(cluster, application)?.BuiltIn is { } builtIn && builtIn != ApplicationCatalog.NotProvided;

    /// <summary>
    /// The object URIs among the files the step's program opens (jar, script, Spark's jars, pyFiles and files,
    /// additional files): fetched into a local directory before launch. Inputs and outputs are not fetched.
    /// </summary>
    public static IEnumerable<(string Uri, string Field)> FilesToFetch(Step step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var p = step.Properties;
        IEnumerable<(string, string)> all = step.Type switch
        {
            StepType.Java => [(p.Jar ?? "", "jar")],
            StepType.Hive or StepType.Pig => [(p.Script ?? "", "script")],
            StepType.Spark => [(p.Jar ?? "", "jar"), .. (p.Jars ?? []).Select(u => (u, "jars")), .. (p.PyFiles ?? []).Select(u => (u, "pyFiles")),
                .. (p.Files ?? []).Select(u => (u, "files"))],
            _ => [],
        };
        return all.Concat(step.AdditionalFiles.Select(f => (f.Remote ?? "", "additionalFiles.remote")))
            .Where(f => ObjectStepFileResolver.IsObjectUri(f.Item1)).Distinct();
    }

    /// <summary>
    /// The names of Spark configuration files: a Spark step with one of them among its additional files runs with
    /// <c>SPARK_CONF_DIR</c> set to its working directory, where they are copied.
    /// </summary>
    public static readonly IReadOnlySet<string> SparkConfigurationFiles = new HashSet<string>(StringComparer.Ordinal)
    {
        "spark-defaults.conf", "spark-env.sh", "core-site.xml", "hdfs-site.xml", "hive-site.xml", "log4j2.properties", "log4j.properties",
    };

    private static IEnumerable<string> Optional(string? value) => string.IsNullOrEmpty(value) ? [] : [value];

    /// <summary>Hive's <c>-d INPUT=…</c> / Pig's <c>-p INPUT=…</c>, then OUTPUT: what EMR's script runners pass.</summary>
    private IEnumerable<string> Variables(string flag, Contracts.StepProperties p)
    {
        string Local(string? uri, string field) => files.ToLocalPath(uri ?? "", field);
        if (p.Input is { Count: > 0 } input)
        {
            yield return flag;
            yield return "INPUT=" + string.Join(',', input.Select(i => Local(i, "input")));
        }
        if (!string.IsNullOrEmpty(p.Output))
        {
            yield return flag;
            yield return "OUTPUT=" + Local(p.Output, "output");
        }
    }

    private static List<string> SparkFlags(Contracts.StepProperties p, Func<string?, string, string> local)
    {
        var flags = new List<string>();
        void Add(string flag, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                flags.AddRange([flag, value]);
            }
        }
        string? Number(int? value) => value?.ToString(CultureInfo.InvariantCulture);
        string? Paths(List<string>? list, string field) => list is { Count: > 0 } ? string.Join(',', list.Select(u => local(u, field))) : null;
        Add("--class", p.MainClass);
        Add("--jars", Paths(p.Jars, "jars"));
        Add("--py-files", Paths(p.PyFiles, "pyFiles"));
        Add("--files", Paths(p.Files, "files"));
        Add("--driver-memory", p.DriverMemory);
        Add("--executor-memory", p.ExecutorMemory);
        Add("--driver-cores", Number(p.DriverCores));
        Add("--executor-cores", Number(p.ExecutorCores));
        Add("--num-executors", Number(p.NumExecutors));
        foreach (var (key, value) in (p.Configuration ?? []).OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            flags.AddRange(["--conf", $"{key}={value}"]);
        }
        return flags;
    }
}
