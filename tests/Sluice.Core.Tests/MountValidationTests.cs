using Microsoft.Extensions.Options;
using Sluice.Contracts;
using Sluice.Core.Clusters;
using Sluice.Core.Jobs;
using Sluice.Core.Model;
using Sluice.Core.ObjectStorage;

namespace Sluice.Core.Tests;

public class MountValidationTests
{
    private readonly JobRequestValidator _jobs;
    private readonly ClusterRequestValidator _clusters;

    public MountValidationTests()
    {
        // s3n serves only the bucket "mapped", so any other s3n bucket is unmapped.
        var options = new ObjectStorageOptions();
        options.Schemes["s3n"] = "";
        options.Buckets["s3n://mapped"] = ObjectStorageOptions.LocalStoreName;
        var objects = new ObjectStoreResolver([new LocalObjectStore(Directory.CreateTempSubdirectory("sluice-mounts-").FullName)], Options.Create(options));
        var ids = new TimeOrderedIdGenerator(TimeProvider.System);
        _clusters = new ClusterRequestValidator(new InstanceTypeCatalog(Options.Create(new SluiceOptions())), new ImageCatalog(new SluiceOptions()), objects, ids, TimeProvider.System);
        _jobs = new JobRequestValidator(_clusters, objects, ids, TimeProvider.System);
    }

    private static MountsConfig Mounts(params (string? Source, string? Destination, bool Write)[] entries) =>
        new() { Entries = entries.Select(e => new MountEntryConfig { Source = e.Source, Destination = e.Destination, WriteSupport = e.Write }).ToList() };

    private static CreateJobRequest Job(MountsConfig? mounts) => new()
    {
        Name = "j",
        ClusterId = "c-1",
        Dag = new DagSpec { Tasks = new() { ["t"] = new TaskSpec { CommandLine = "true" } } },
        Mounts = mounts,
    };

    private static CreateClusterRequest Cluster(MountsConfig? mounts) => new()
    {
        Name = "c",
        InstanceGroups = [new InstanceGroupConfig { Role = "Master", InstanceType = "g.small", InstanceCount = 1 }],
        Mounts = mounts,
    };

    [Fact]
    public void Validate_JobMounts_AreNormalizedAndKeptInOrder()
    {
        var job = _jobs.Validate("a", Job(Mounts(("oss://input/data", "./data//in/", false), ("nas://share/out/", "out", true), ("file://local/x/", "x", false)))).Job;

        Assert.Equal(
            [new Mount("oss://input/data/", "data/in", false), new Mount("nas://share/out/", "out", true), new Mount("file://local/x/", "x", false)],
            job.Mounts);
    }

    [Fact]
    public void Validate_ClusterMounts_AreNormalized()
    {
        var cluster = _clusters.Validate("a", Cluster(Mounts(("bos://bucket/", "in", false), ("s3n://mapped/a/b", "a/b", true))));

        Assert.Equal([new Mount("bos://bucket/", "in", false), new Mount("s3n://mapped/a/b/", "a/b", true)], cluster.Mounts);
    }

    [Fact]
    public void Validate_NoMounts_GivesEmptyList()
    {
        Assert.Empty(_jobs.Validate("a", Job(null)).Job.Mounts);
        Assert.Empty(_jobs.Validate("a", Job(new MountsConfig())).Job.Mounts);
        Assert.Empty(_clusters.Validate("a", Cluster(null)).Mounts);
    }

    public static TheoryData<string, string?, string?, string> BadEntries => new()
    {
        { ErrorCodes.UnknownUriScheme, "gs://bucket/data/", "data", "mounts.entries[1].source" },
        { ErrorCodes.BucketNotMapped, "s3n://other/data/", "data", "mounts.entries[1].source" },
        { ErrorCodes.InvalidObjectUri, "oss://bucket/../etc/", "data", "mounts.entries[1].source" },
        { ErrorCodes.InvalidObjectUri, "/etc/", "data", "mounts.entries[1].source" },
        { ErrorCodes.MissingParameter, null, "data", "mounts.entries[1].source" },
        { ErrorCodes.MissingParameter, "oss://bucket/data/", " ", "mounts.entries[1].destination" },
        { ErrorCodes.InvalidMountDestination, "oss://bucket/data/", "/home/admin/mnt", "mounts.entries[1].destination '/home/admin/mnt' is absolute" },
        { ErrorCodes.InvalidMountDestination, "oss://bucket/data/", "~/mnt", "mounts.entries[1].destination '~/mnt' is absolute" },
        { ErrorCodes.InvalidMountDestination, "oss://bucket/data/", "data/../../escape", "'..' segment" },
        { ErrorCodes.InvalidMountDestination, "oss://bucket/data/", "..", "'..' segment" },
        { ErrorCodes.InvalidMountDestination, "oss://bucket/data/", "./", "working directory itself" },
        { ErrorCodes.InvalidMountDestination, "oss://bucket/data/", "a\\b", "backslash" },
        { ErrorCodes.InvalidMountDestination, "oss://bucket/data/", "a\0b", "control character" },
        { ErrorCodes.DuplicateMountDestination, "oss://bucket/other/", "./first/", "also the destination of mounts.entries[0]" },
        { ErrorCodes.InvalidMountDestination, "oss://bucket/other/", "first/inner", "mounts cannot nest" },
    };

    [Theory]
    [MemberData(nameof(BadEntries))]
    public void Validate_BadJobMount_IsRefusedWithCodeNamingTheEntry(string code, string? source, string? destination, string message)
    {
        var request = Job(Mounts(("oss://bucket/first/", "first", false), (source, destination, true)));

        var error = Assert.Throws<ServiceException>(() => _jobs.Validate("a", request));

        Assert.Equal(code, error.Code);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DestinationSharingANamePrefix_IsNotNested()
    {
        var job = _jobs.Validate("a", Job(Mounts(("oss://bucket/a/", "data", false), ("oss://bucket/b/", "data2", true)))).Job;

        Assert.Equal(["data", "data2"], job.Mounts.Select(m => m.Destination));
    }

    [Fact]
    public void Validate_BadAutoClusterMount_NamesTheAutoClusterField()
    {
        var request = Job(null);
        request.ClusterId = null;
        request.AutoCluster = Cluster(Mounts(("oss://bucket/a/", "../a", false)));

        var error = Assert.Throws<ServiceException>(() => _jobs.Validate("a", request));

        Assert.Equal(ErrorCodes.InvalidMountDestination, error.Code);
        Assert.Contains("autoCluster.mounts.entries[0].destination", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TooManyMounts_IsInvalidParameter()
    {
        var entries = Enumerable.Range(0, 33).Select(i => ((string?)"oss://bucket/x/", (string?)$"d{i}", false)).ToArray();

        var error = Assert.Throws<ServiceException>(() => _clusters.Validate("a", Cluster(Mounts(entries))));

        Assert.Equal(ErrorCodes.InvalidParameter, error.Code);
        Assert.Contains("mounts.entries count", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NullEntry_IsInvalidParameter()
    {
        var error = Assert.Throws<ServiceException>(() => _jobs.Validate("a", Job(new MountsConfig { Entries = [null!] })));

        Assert.Equal(ErrorCodes.InvalidParameter, error.Code);
        Assert.Contains("mounts.entries[0] is null", error.Message, StringComparison.Ordinal);
    }
}
