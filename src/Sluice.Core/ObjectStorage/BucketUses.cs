using Sluice.Contracts;
using Sluice.Core.Model;
using Sluice.Core.Steps;

namespace Sluice.Core.ObjectStorage;

/// <summary>
/// Every object URI a cluster, a job or a step reads or writes, with the request field it came from: what
/// <see cref="BucketOwnership"/> checks at submit and again before the work touches the buckets.
/// </summary>
public static class BucketUses
{
    /// <summary>The cluster's log URI and mount sources (<paramref name="field"/>: the request field holding the cluster, such as <c>autoCluster</c>).</summary>
    public static IEnumerable<(string Uri, string Field)> Of(Cluster cluster, string field = "")
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var prefix = field.Length == 0 ? "" : field + ".";
        if (cluster.LogUri is { } logUri)
        {
            yield return (logUri, $"{prefix}logUri");
        }
        foreach (var use in Of(cluster.Mounts, $"{prefix}mounts"))
        {
            yield return use;
        }
    }

    /// <summary>The job's mount sources and its tasks' packages and redirect folders.</summary>
    public static IEnumerable<(string Uri, string Field)> Of(Job job, IEnumerable<JobTask> tasks)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(tasks);
        foreach (var task in tasks)
        {
            foreach (var use in Of(task))
            {
                yield return use;
            }
        }
        foreach (var use in Of(job.Mounts, "mounts"))
        {
            yield return use;
        }
    }

    /// <summary>The task's package and redirect folders.</summary>
    public static IEnumerable<(string Uri, string Field)> Of(JobTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var at = $"dag.tasks.{task.Name}";
        if (task.PackagePath is { } package)
        {
            yield return (package, $"{at}.packagePath");
        }
        if (task.StdoutRedirectPath is { } stdout)
        {
            yield return (stdout, $"{at}.stdoutRedirectPath");
        }
        if (task.StderrRedirectPath is { } stderr)
        {
            yield return (stderr, $"{at}.stderrRedirectPath");
        }
    }

    /// <summary>Mount sources.</summary>
    public static IEnumerable<(string Uri, string Field)> Of(IReadOnlyList<Mount> mounts, string field)
    {
        ArgumentNullException.ThrowIfNull(mounts);
        return mounts.Select((m, i) => (m.Source, $"{field}.entries[{i}].source"));
    }

    /// <summary>
    /// The object URIs (those <see cref="ObjectStepFileResolver"/> serves from object stores) among a step's jar, script,
    /// Spark files, inputs, output, cache files and archives and additional files.
    /// </summary>
    public static IEnumerable<(string Uri, string Field)> Of(StepProperties? properties, IEnumerable<StepFile?>? additionalFiles, string field)
    {
        var p = properties ?? new StepProperties();
        var at = $"{field}.properties";
        IEnumerable<(string? Uri, string Field)> all =
        [
            (p.Jar, $"{at}.jar"),
            (p.Script, $"{at}.script"),
            (p.Output, $"{at}.output"),
            .. (p.Input ?? []).Select(u => ((string?)u, $"{at}.input")),
            .. (p.Jars ?? []).Select(u => ((string?)u, $"{at}.jars")),
            .. (p.PyFiles ?? []).Select(u => ((string?)u, $"{at}.pyFiles")),
            .. (p.Files ?? []).Select(u => ((string?)u, $"{at}.files")),
            .. (p.CacheFiles ?? []).Select(u => ((string?)WithoutLinkName(u), $"{at}.cacheFiles")),
            .. (p.CacheArchives ?? []).Select(u => ((string?)WithoutLinkName(u), $"{at}.cacheArchives")),
            .. (additionalFiles ?? []).Select((f, i) => (f?.Remote, $"{field}.additionalFiles[{i}].remote")),
        ];
        return all.Where(u => ObjectStepFileResolver.IsObjectUri(u.Uri)).Select(u => (u.Uri!, u.Field));
    }

    /// <summary>The step's object URIs, fields named as in the request that added it.</summary>
    public static IEnumerable<(string Uri, string Field)> Of(Step step)
    {
        ArgumentNullException.ThrowIfNull(step);
        return Of(step.Properties, step.AdditionalFiles, "step");
    }

    /// <summary>A cache entry is <c>uri#name</c>: the name is the link in the working directory, not part of the URI.</summary>
    private static string WithoutLinkName(string entry)
    {
        var hash = entry.LastIndexOf('#');
        return hash >= 0 ? entry[..hash] : entry;
    }
}
