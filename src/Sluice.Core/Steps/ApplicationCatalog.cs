using Microsoft.Extensions.Options;
using Sluice.Contracts;
using Sluice.Core.Model;

namespace Sluice.Core.Steps;

/// <summary>
/// Maps the applications a cluster declares (hadoop, hive, pig, hbase, spark, with versions) to the launchers
/// the nodes run. Launchers come from <see cref="SluiceOptions.Applications"/>, else from the program found on PATH,
/// else for hive and pig from Sluice itself (the embedded engines run by <c>sluice hive</c> / <c>sluice pig</c>, any
/// version), and hbase is accepted but not provided (there is no HBase server; see docs/hive.md).
/// </summary>
public sealed class ApplicationCatalog
{
    /// <summary>The applications Sluice knows how to build step command lines for, with their usual program.</summary>
    public static readonly IReadOnlyDictionary<string, string> KnownPrograms = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["hadoop"] = "hadoop",
        ["hive"] = "hive",
        ["pig"] = "pig",
        ["hbase"] = "hbase",
        ["spark"] = "spark-submit",
    };

    /// <summary>The <see cref="ApplicationLauncher.BuiltIn"/> of an application accepted but not provided (hbase).</summary>
    public const string NotProvided = "none";

    private readonly Dictionary<string, ApplicationLauncher> _launchers = new(StringComparer.OrdinalIgnoreCase);

    public ApplicationCatalog(IOptions<SluiceOptions> options)
    {
        foreach (var (name, program) in KnownPrograms)
        {
            if (FindOnPath(program) is { } path)
            {
                _launchers[name] = new ApplicationLauncher { Command = path };
            }
        }
        // What Sluice provides itself when nothing is registered or installed: a cluster asking for them is accepted.
        _launchers.TryAdd("hive", new ApplicationLauncher { BuiltIn = "hive" });
        _launchers.TryAdd("pig", new ApplicationLauncher { BuiltIn = "pig" });
        _launchers.TryAdd("hbase", new ApplicationLauncher { BuiltIn = NotProvided });
        foreach (var (key, launcher) in options.Value.Applications)
        {
            _launchers[key] = launcher;
        }
    }

    /// <summary>Validates a cluster's applications: known names, no duplicates, and a launcher for each.</summary>
    /// <exception cref="ServiceException">ApplicationNotAvailable naming the application and how to register a launcher.</exception>
    public IReadOnlyList<ClusterApplication> Validate(IReadOnlyList<ApplicationConfig>? applications, string field)
    {
        var result = new List<ClusterApplication>();
        for (var i = 0; i < (applications?.Count ?? 0); i++)
        {
            var app = applications![i];
            var name = Validation.RequireName(app?.Name, $"{field}[{i}].name").ToLowerInvariant();
            var version = Validation.OptionalName(app!.Version, $"{field}[{i}].version", 64);
            if (result.Any(a => a.Name == name))
            {
                throw new ServiceException(ErrorCodes.InvalidParameter, $"{field}[{i}]: application '{name}' is listed twice");
            }
            if (Find(name, version) is null)
            {
                var label = version is null ? name : $"{name}:{version}";
                throw new ServiceException(ErrorCodes.ApplicationNotAvailable,
                    $"{field}[{i}]: application '{label}' cannot be provided: this server has no launcher for it. " +
                    $"Install {(KnownPrograms.TryGetValue(name, out var program) ? program : name)} on the server's PATH, or register one in the server options " +
                    $"(Sluice:Applications:{name}:Command=/path/to/launcher{(version is null ? "" : $", Sluice:Applications:{name}:Version={version}")}; " +
                    $"`sluice up --application {name}=/path/to/launcher`)");
            }
            result.Add(new ClusterApplication(name, version));
        }
        return result;
    }

    /// <summary>The launcher for the application the cluster declares, or null when the cluster does not declare it.</summary>
    public ApplicationLauncher? ForCluster(Cluster cluster, string name) =>
        cluster.Applications.FirstOrDefault(a => a.Name == name) is { } app ? Find(app.Name, app.Version) : null;

    private ApplicationLauncher? Find(string name, string? version)
    {
        if (version is not null && _launchers.TryGetValue($"{name}:{version}", out var exact))
        {
            return exact;
        }
        return _launchers.TryGetValue(name, out var launcher) && (version is null || launcher.Version is null || launcher.Version == version)
            ? launcher
            : null;
    }

    private static string? FindOnPath(string program)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
