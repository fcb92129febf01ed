using Sluice.Core.Model;

namespace Sluice.Testing.Conformance.Store;

/// <summary>Field-by-field equality for records whose collection members compare by reference.</summary>
internal static class StoreAssert
{
    private static readonly IReadOnlyList<InstanceGroup> NoGroups = [];
    private static readonly IReadOnlyList<BootstrapAction> NoActions = [];
    private static readonly IReadOnlyList<string> NoStrings = [];
    private static readonly IReadOnlyDictionary<string, string> NoMap = new Dictionary<string, string>();
    private static readonly IReadOnlyList<ClusterApplication> NoApplications = [];
    private static readonly IReadOnlyList<Sluice.Contracts.StepFile> NoFiles = [];
    private static readonly IReadOnlyList<Mount> NoMounts = [];

    public static void Equal(Cluster expected, Cluster? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { Groups = NoGroups, BootstrapActions = NoActions, Tags = NoMap, Applications = NoApplications, Mounts = NoMounts, Environment = NoMap },
            actual with { Groups = NoGroups, BootstrapActions = NoActions, Tags = NoMap, Applications = NoApplications, Mounts = NoMounts, Environment = NoMap });
        Assert.Equal(expected.Groups, actual.Groups);
        Assert.Equal(expected.Mounts, actual.Mounts);
        Assert.Equal(expected.Applications, actual.Applications);
        Assert.Equal(expected.BootstrapActions.Count, actual.BootstrapActions.Count);
        for (var i = 0; i < expected.BootstrapActions.Count; i++)
        {
            Assert.Equal(expected.BootstrapActions[i] with { Arguments = NoStrings }, actual.BootstrapActions[i] with { Arguments = NoStrings });
            Assert.Equal(expected.BootstrapActions[i].Arguments, actual.BootstrapActions[i].Arguments);
        }

        Map(expected.Tags, actual.Tags);
        Map(expected.Environment, actual.Environment);
        Utc(actual.CreatedAt, actual.ReadyAt, actual.EndedAt);
    }

    public static void Equal(Job expected, Job? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { Mounts = NoMounts }, actual with { Mounts = NoMounts });
        Assert.Equal(expected.Mounts, actual.Mounts);
        Utc(actual.CreatedAt, actual.StartedAt, actual.EndedAt);
    }

    public static void Equal(JobTask expected, JobTask? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { Env = NoMap, Successors = NoStrings }, actual with { Env = NoMap, Successors = NoStrings });
        Map(expected.Env, actual.Env);
        Assert.Equal(expected.Successors, actual.Successors);
        Utc(actual.StartedAt, actual.EndedAt);
    }

    public static void Equal(IReadOnlyList<JobTask> expected, IReadOnlyList<JobTask> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Equal(expected[i], actual[i]);
        }
    }

    public static void Equal(TaskInstance expected, TaskInstance? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected, actual);
        Utc(actual.StartedAt, actual.EndedAt);
    }

    public static void Equal(Step expected, Step? actual)
    {
        Assert.NotNull(actual);
        var properties = new Sluice.Contracts.StepProperties();
        Assert.Equal(expected with { Properties = properties, AdditionalFiles = NoFiles }, actual with { Properties = properties, AdditionalFiles = NoFiles });
        Assert.Equal(Json(expected.Properties), Json(actual.Properties));
        Assert.Equal(expected.AdditionalFiles.Select(f => (f.Remote, f.Local)), actual.AdditionalFiles.Select(f => (f.Remote, f.Local)));
        Utc(actual.CreatedAt, actual.StartedAt, actual.EndedAt);
    }

    private static string Json(Sluice.Contracts.StepProperties properties) =>
        System.Text.Json.JsonSerializer.Serialize(properties, Sluice.Contracts.SluiceJsonContext.Default.StepProperties);

    public static void Map(IReadOnlyDictionary<string, string> expected, IReadOnlyDictionary<string, string> actual) =>
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), actual.OrderBy(p => p.Key, StringComparer.Ordinal));

    /// <summary>Stores return timestamps in UTC.</summary>
    public static void Utc(params DateTimeOffset?[] values)
    {
        foreach (var value in values)
        {
            if (value is { } v)
            {
                Assert.Equal(TimeSpan.Zero, v.Offset);
            }
        }
    }
}
