using Microsoft.Extensions.Options;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.Clusters;
using Sluice.Core.Jobs;
using Sluice.Core.Model;

namespace Sluice.Core.Tests;

public class JobRequestValidatorTests
{
    private readonly JobRequestValidator _validator;

    public JobRequestValidatorTests()
    {
        var ids = new TimeOrderedIdGenerator(TimeProvider.System);
        var clusters = new ClusterRequestValidator(new InstanceTypeCatalog(Options.Create(new SluiceOptions())), new ImageCatalog(new SluiceOptions()), ObjectStorage.TestResolver.Default, ids, TimeProvider.System);
        _validator = new JobRequestValidator(clusters, ObjectStorage.TestResolver.Default, ids, TimeProvider.System);
    }

    private static CreateJobRequest Job(Action<TaskSpec>? task = null, Action<CreateJobRequest>? job = null)
    {
        var spec = new TaskSpec { CommandLine = "echo hi" };
        task?.Invoke(spec);
        var request = new CreateJobRequest { Name = "j", ClusterId = "c-1", Dag = new DagSpec { Tasks = new() { ["echo"] = spec } } };
        job?.Invoke(request);
        return request;
    }

    [Fact]
    public void Validate_MinimalJob_AppliesDefaults()
    {
        var result = _validator.Validate("a-1", Job());

        Assert.True(result.Job.JobFailOnInstanceFail);
        Assert.Equal(RunState.Waiting, result.Job.State);
        var task = Assert.Single(result.Tasks);
        Assert.Equal(1, task.InstanceCount);
        Assert.Equal(0, task.MaxRetryCount);
        Assert.Equal(1, task.Cpu);
        Assert.Null(task.TimeoutSeconds);
    }

    public static TheoryData<string, Action<TaskSpec>> BadTasks => new()
    {
        { ErrorCodes.MissingParameter, t => t.CommandLine = "   " },
        { ErrorCodes.InvalidParameter, t => t.InstanceCount = 0 },
        { ErrorCodes.InvalidParameter, t => t.InstanceCount = -3 },
        { ErrorCodes.InvalidParameter, t => t.InstanceCount = Limits.MaxInstanceCount + 1 },
        { ErrorCodes.InvalidParameter, t => t.MaxRetryCount = -1 },
        { ErrorCodes.InvalidParameter, t => t.Timeout = 0 },
        { ErrorCodes.InvalidParameter, t => t.Cpu = 0 },
        { ErrorCodes.InvalidParameter, t => t.Env = new() { ["1BAD"] = "x" } },
        { ErrorCodes.UnknownUriScheme, t => t.PackagePath = "gs://bucket/pkg.tar.gz" },
        { ErrorCodes.InvalidObjectUri, t => t.PackagePath = "oss://bucket/../etc/passwd" },
        { ErrorCodes.InvalidParameter, t => t.PackagePath = "oss://bucket/pkgs/" },
        { ErrorCodes.InvalidParameter, t => t.StdoutRedirectPath = "oss://bucket/out" },
        { ErrorCodes.InvalidObjectUri, t => t.StderrRedirectPath = "oss://bucket//abs/" },
        { ErrorCodes.InvalidObjectUri, t => t.StdoutRedirectPath = "/tmp/out/" },
    };

    [Fact]
    public void Validate_ObjectUris_AreNormalizedAndKept()
    {
        var result = _validator.Validate("a-1", Job(t =>
        {
            t.PackagePath = "OSS://bucket/apps//wc.tar.gz";
            t.StdoutRedirectPath = "oss://bucket/out/./";
            t.StderrRedirectPath = "oss://bucket/err/";
        }));

        var task = Assert.Single(result.Tasks);
        Assert.Equal("oss://bucket/apps/wc.tar.gz", task.PackagePath);
        Assert.Equal("oss://bucket/out/", task.StdoutRedirectPath);
        Assert.Equal("oss://bucket/err/", task.StderrRedirectPath);
    }

    [Theory]
    [MemberData(nameof(BadTasks))]
    public void Validate_BadTask_RejectedWithStableCode(string code, Action<TaskSpec> change)
    {
        var error = Assert.Throws<ServiceException>(() => _validator.Validate("a-1", Job(change)));

        Assert.Equal(code, error.Code);
        Assert.Contains("dag.tasks.echo", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1001)]
    public void Validate_PriorityOutOfRange_Rejected(int priority)
    {
        var error = Assert.Throws<ServiceException>(() => _validator.Validate("a-1", Job(job: j => j.Priority = priority)));

        Assert.Equal(ErrorCodes.InvalidParameter, error.Code);
        Assert.Contains("priority", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BothClusterAndAutoCluster_Rejected()
    {
        var error = Assert.Throws<ServiceException>(() => _validator.Validate("a-1", Job(job: j => j.AutoCluster = new CreateClusterRequest())));

        Assert.Equal(ErrorCodes.InvalidParameter, error.Code);
    }

    [Fact]
    public void Validate_NoCluster_Rejected()
    {
        var error = Assert.Throws<ServiceException>(() => _validator.Validate("a-1", Job(job: j => j.ClusterId = null)));

        Assert.Equal(ErrorCodes.MissingParameter, error.Code);
    }

    [Fact]
    public void Validate_NoTasks_Rejected()
    {
        var error = Assert.Throws<ServiceException>(() => _validator.Validate("a-1", Job(job: j => j.Dag = new DagSpec())));

        Assert.Equal(ErrorCodes.MissingParameter, error.Code);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("../up")]
    [InlineData("")]
    public void Validate_UnsafeTaskName_Rejected(string name)
    {
        var request = Job();
        request.Dag!.Tasks = new() { [name] = new TaskSpec { CommandLine = "true" } };

        var error = Assert.Throws<ServiceException>(() => _validator.Validate("a-1", request));

        Assert.Equal(ErrorCodes.InvalidParameter, error.Code);
    }

    [Fact]
    public void Validate_AutoCluster_OwnedByTheJob()
    {
        var request = Job(job: j =>
        {
            j.ClusterId = null;
            j.AutoCluster = new CreateClusterRequest { Name = "auto", InstanceGroups = [new InstanceGroupConfig { Role = "Core", InstanceType = "ecs.t1.small", InstanceCount = 2 }] };
        });

        var result = _validator.Validate("a-1", request);

        Assert.NotNull(result.AutoCluster);
        Assert.Equal(result.Job.Id, result.AutoCluster!.OwnerJobId);
        Assert.Equal(result.AutoCluster.Id, result.Job.ClusterId);
    }
}
