using Microsoft.Extensions.Options;
using Sluice.Contracts;
using Sluice.Core.Clusters;
using Sluice.Core.Jobs;
using Sluice.Core.ObjectStorage;

namespace Sluice.Core.Tests;

/// <summary>
/// Issue #15 item 6: a name ending in "\n" was accepted, because '$' in the validators' patterns also matches
/// before a final line break. Every kind of name and identifier is checked with a trailing "\n" (and other
/// control characters) here.
/// </summary>
public sealed class NameValidationTests
{
    private readonly ClusterRequestValidator _clusters;
    private readonly JobRequestValidator _jobs;

    public NameValidationTests()
    {
        var ids = new TimeOrderedIdGenerator(TimeProvider.System);
        _clusters = new ClusterRequestValidator(new InstanceTypeCatalog(Options.Create(new SluiceOptions())), new ImageCatalog(new SluiceOptions()), ObjectStorage.TestResolver.Default, ids, TimeProvider.System);
        _jobs = new JobRequestValidator(_clusters, ObjectStorage.TestResolver.Default, ids, TimeProvider.System);
    }

    private static CreateJobRequest Job(string taskName = "echo", Action<TaskSpec>? task = null, Action<CreateJobRequest>? job = null)
    {
        var spec = new TaskSpec { CommandLine = "echo hi" };
        task?.Invoke(spec);
        var request = new CreateJobRequest { Name = "j", ClusterId = "c-1", Dag = new DagSpec { Tasks = new() { [taskName] = spec } } };
        job?.Invoke(request);
        return request;
    }

    private static CreateClusterRequest Cluster(Action<CreateClusterRequest>? change = null, Action<InstanceGroupConfig>? group = null)
    {
        var g = new InstanceGroupConfig { Role = "Master", InstanceType = "g.small", InstanceCount = 1 };
        group?.Invoke(g);
        var request = new CreateClusterRequest { Name = "c", InstanceGroups = [g] };
        change?.Invoke(request);
        return request;
    }

    [Theory]
    [InlineData("task\n")]
    [InlineData("task\r\n")]
    [InlineData("\ntask")]
    [InlineData("ta\nsk")]
    public void Validate_TaskNameWithLineBreak_IsInvalidParameter(string name)
    {
        var error = Assert.Throws<ServiceException>(() => _jobs.Validate("a-1", Job(taskName: name)));

        Assert.Equal(ErrorCodes.InvalidParameter, error.Code);
        Assert.Contains("task name", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PATH\n")]
    [InlineData("MY_VAR\r\n")]
    [InlineData("A\tB")]
    public void Validate_EnvNameWithControlCharacter_IsInvalidParameter(string name)
    {
        var error = Assert.Throws<ServiceException>(() => _jobs.Validate("a-1", Job(task: t => t.Env = new() { [name] = "x" })));

        Assert.Equal(ErrorCodes.InvalidParameter, error.Code);
        Assert.Contains("dag.tasks.echo.env", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, Action<CreateJobRequest>> BadJobNames => new()
    {
        { "name", j => j.Name = "job\n" },
        { "name", j => j.Name = "job\u0000x" },
        { "name", j => j.Name = "job\u0085" },
        { "clientToken", j => j.ClientToken = "token\n" },
    };

    [Theory]
    [MemberData(nameof(BadJobNames))]
    public void Validate_JobNameOrTokenWithControlCharacter_IsInvalidParameterNamingTheField(string field, Action<CreateJobRequest> change)
    {
        var error = Assert.Throws<ServiceException>(() => _jobs.Validate("a-1", Job(job: change)));

        Assert.Equal(ErrorCodes.InvalidParameter, error.Code);
        Assert.StartsWith(field + " has a control character", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, Action<CreateClusterRequest>?, Action<InstanceGroupConfig>?> BadClusterNames => new()
    {
        { "name", c => c.Name = "cluster\n", null },
        { "clientToken", c => c.ClientToken = "t\n", null },
        { "instanceGroups[0].name", null, g => g.Name = "master\n" },
        { "instanceGroups[0].instanceType", null, g => g.InstanceType = "g.small\n" },
        { "bootstrapActions[0].name", c => c.BootstrapActions = [new BootstrapActionConfig { Name = "setup\n", Path = "/bin/true" }], null },
        { "bootstrapActions[0].path", c => c.BootstrapActions = [new BootstrapActionConfig { Path = "/bin/true\n" }], null },
        { "tags key", c => c.Tags = new() { ["team\n"] = "x" }, null },
    };

    [Theory]
    [MemberData(nameof(BadClusterNames))]
    public void Validate_ClusterNameWithControlCharacter_IsInvalidParameterNamingTheField(string field, Action<CreateClusterRequest>? change, Action<InstanceGroupConfig>? group)
    {
        var error = Assert.Throws<ServiceException>(() => _clusters.Validate("a-1", Cluster(change, group)));

        Assert.Equal(ErrorCodes.InvalidParameter, error.Code);
        Assert.StartsWith(field + " has a control character", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NamesWithoutControlCharacters_AreAccepted()
    {
        var job = _jobs.Validate("a-1", Job(taskName: "map-1.v2_x", task: t => t.Env = new() { ["_MY_VAR1"] = "a\nb" }, job: j => j.Name = "nightly job (ünïcode)"));

        Assert.Equal("nightly job (ünïcode)", job.Job.Name);
        Assert.Equal("map-1.v2_x", Assert.Single(job.Tasks).Name);
    }

    [Theory]
    [InlineData("oss://bucket\n/key")]
    [InlineData("oss\n://bucket/key")]
    public void Parse_BucketOrSchemeWithTrailingLineBreak_IsInvalidObjectUri(string uri)
    {
        var error = Assert.Throws<ServiceException>(() => ObjectUri.Parse(uri));

        Assert.Equal(ErrorCodes.InvalidObjectUri, error.Code);
    }
}
