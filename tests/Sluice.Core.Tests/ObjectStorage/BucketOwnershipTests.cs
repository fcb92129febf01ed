using Microsoft.Extensions.Options;
using Sluice.Contracts;
using Sluice.Core.Model;
using Sluice.Core.ObjectStorage;
using Sluice.Core.Ports;
using Sluice.Storage.Sqlite;

namespace Sluice.Core.Tests.ObjectStorage;

/// <summary>The ownership rules (issue #15, "buckets have owners") over a real SQLite file and real local stores.</summary>
public sealed class BucketOwnershipTests : IAsyncLifetime
{
    private const string Admin = "a-admin";
    private const string TenantA = "a-tenant-a";
    private const string TenantB = "a-tenant-b";

    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-owners-").FullName;
    private IStore Store { get; set; } = null!;
    private LocalObjectStore _local = null!;
    private NamedStore _external = null!;

    private static CancellationToken Ct => CancellationToken.None;

    public async Task InitializeAsync()
    {
        Store = new SqliteStore(new SqliteStoreOptions { DatabasePath = Path.Combine(_directory, "sluice.db") });
        await Store.MigrateAsync(Ct);
        var t0 = DateTimeOffset.UtcNow;
        await Store.InsertAccountAsync(new Account(Admin, "admin", t0), Ct);
        await Store.InsertAccountAsync(new Account(TenantA, "a", t0.AddSeconds(1)), Ct);
        await Store.InsertAccountAsync(new Account(TenantB, "b", t0.AddSeconds(2)), Ct);
        _local = new LocalObjectStore(Path.Combine(_directory, "objects"));
        _external = new NamedStore("minio", new LocalObjectStore(Path.Combine(_directory, "minio")));
    }

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private BucketOwnership Ownership(Dictionary<string, string>? owners = null)
    {
        var options = new ObjectStorageOptions();
        options.Schemes["s3"] = "minio";
        options.Schemes["s3n"] = "minio";
        foreach (var (uri, account) in owners ?? [])
        {
            options.BucketOwners[uri] = account;
        }
        var resolver = new ObjectStoreResolver([_local, _external], Options.Create(options));
        return new BucketOwnership(Store, resolver, Options.Create(options), TimeProvider.System);
    }

    private static async Task<ServiceException> DeniedAsync(Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<ServiceException>(call);
        Assert.Equal(ErrorCodes.AccessDenied, error.Code);
        return error;
    }

    [Fact]
    public async Task AuthorizeAsync_NewLocalBucket_FirstAccountBecomesOwnerAndOthersAreDenied()
    {
        var buckets = Ownership();

        await buckets.AuthorizeAsync(TenantA, "oss://logs-a/x/", "logUri", Ct);

        Assert.Equal(TenantA, (await Store.GetBucketOwnerAsync("local", "logs-a", Ct))!.AccountId);
        await buckets.AuthorizeAsync(TenantA, "oss://logs-a/other", "packagePath", Ct);
        var error = await DeniedAsync(() => buckets.AuthorizeAsync(TenantB, "oss://logs-a/", "mounts.entries[0].source", Ct));
        Assert.Contains("mounts.entries[0].source", error.Message, StringComparison.Ordinal);
        Assert.Contains("oss://logs-a", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(TenantA, error.Message, StringComparison.Ordinal);
        await DeniedAsync(() => buckets.AuthorizeAsync(Admin, "oss://logs-a/", "logUri", Ct));
    }

    [Theory]
    [InlineData("bos://logs-a/")]
    [InlineData("file://logs-a/")]
    [InlineData("nas://logs-a/")]
    public async Task AuthorizeAsync_OtherSchemeOfTheSameLocalBucket_IsDenied(string uri)
    {
        var buckets = Ownership();
        await buckets.AuthorizeAsync(TenantA, "oss://logs-a/", "logUri", Ct);

        await DeniedAsync(() => buckets.AuthorizeAsync(TenantB, uri, "mounts.entries[0].source", Ct));
    }

    [Fact]
    public async Task AuthorizeAsync_SameNameOnAnotherStore_IsAnotherBucket()
    {
        var buckets = Ownership(new() { ["s3://shared"] = TenantB });
        await buckets.AuthorizeAsync(TenantA, "oss://shared/", "logUri", Ct);

        await buckets.AuthorizeAsync(TenantB, "s3://shared/in/", "mounts.entries[0].source", Ct);
        await DeniedAsync(() => buckets.AuthorizeAsync(TenantB, "oss://shared/", "logUri", Ct));
    }

    [Fact]
    public async Task AuthorizeAsync_ExistingUnownedLocalBucket_BelongsToTheAdmin()
    {
        var old = ObjectUri.Parse("oss://before-upgrade/");
        await _local.CreateBucketAsync(old, Ct);
        var buckets = Ownership();

        await DeniedAsync(() => buckets.AuthorizeAsync(TenantA, "oss://before-upgrade/", "logUri", Ct));

        Assert.Equal(Admin, (await Store.GetBucketOwnerAsync("local", "before-upgrade", Ct))!.AccountId);
        await buckets.AuthorizeAsync(Admin, "bos://before-upgrade/x", "packagePath", Ct);
    }

    [Fact]
    public async Task AuthorizeAsync_CheckOnly_DecidesAsAClaimWouldAndRecordsNothing()
    {
        await _local.CreateBucketAsync(ObjectUri.Parse("oss://existing/"), Ct);
        var buckets = Ownership();

        await buckets.AuthorizeAsync(TenantA, [("oss://new-bucket/in", "steps[0].properties.input")], Ct, claim: false);
        await DeniedAsync(() => buckets.AuthorizeAsync(TenantA, [("oss://existing/in", "steps[0].properties.input")], Ct, claim: false));

        Assert.Null(await Store.GetBucketOwnerAsync("local", "new-bucket", Ct));
        Assert.Null(await Store.GetBucketOwnerAsync("local", "existing", Ct));
        // The claim, once the request is accepted, is what records the owner.
        await buckets.AuthorizeAsync(TenantA, [("oss://new-bucket/in", "steps[0].properties.input")], Ct);
        Assert.Equal(TenantA, (await Store.GetBucketOwnerAsync("local", "new-bucket", Ct))!.AccountId);
    }

    [Fact]
    public async Task AuthorizeAsync_UnassignedExternalBucket_OnlyTheAdminMayUseIt()
    {
        var buckets = Ownership();

        var error = await DeniedAsync(() => buckets.AuthorizeAsync(TenantA, "s3://data/", "mounts.entries[0].source", Ct));

        Assert.Contains("ObjectStorage:BucketOwners:s3://data=<account id>", error.Message, StringComparison.Ordinal);
        await buckets.AuthorizeAsync(Admin, "s3://data/in/", "mounts.entries[0].source", Ct);
        // Naming an external bucket claims nothing: it stays the operator's to assign.
        Assert.Null(await Store.GetBucketOwnerAsync("minio", "data", Ct));
        await DeniedAsync(() => buckets.AuthorizeAsync(TenantA, "s3://data/", "logUri", Ct));
    }

    [Fact]
    public async Task AuthorizeAsync_ConfiguredExternalBucket_OnlyThatAccountMayUseItThroughAnyScheme()
    {
        var buckets = Ownership(new() { ["s3://data"] = TenantA });

        await buckets.AuthorizeAsync(TenantA, "s3n://data/in/", "mounts.entries[0].source", Ct);

        await DeniedAsync(() => buckets.AuthorizeAsync(TenantB, "s3://data/", "logUri", Ct));
        await DeniedAsync(() => buckets.AuthorizeAsync(Admin, "s3://data/", "logUri", Ct));
    }

    [Fact]
    public async Task AuthorizeAsync_ConfiguredLocalBucket_WinsOverTheRecordedOwner()
    {
        await Store.ClaimBucketAsync(new BucketOwner("local", "given", TenantA, DateTimeOffset.UtcNow), Ct);
        var buckets = Ownership(new() { ["oss://given"] = TenantB });

        await buckets.AuthorizeAsync(TenantB, "bos://given/", "logUri", Ct);

        await DeniedAsync(() => buckets.AuthorizeAsync(TenantA, "oss://given/", "logUri", Ct));
    }

    [Fact]
    public async Task AuthorizeAsync_ConfiguredWithNoAccount_IsDeniedToEveryone()
    {
        var buckets = Ownership(new() { ["oss://locked"] = "" });

        await DeniedAsync(() => buckets.AuthorizeAsync(Admin, "oss://locked/", "logUri", Ct));
        await DeniedAsync(() => buckets.AuthorizeAsync(TenantA, "oss://locked/", "logUri", Ct));
    }

    [Fact]
    public async Task AuthorizeAsync_OwnerChanged_TheFormerOwnerIsDenied()
    {
        var buckets = Ownership();
        await buckets.AuthorizeAsync(TenantA, "oss://moving/", "logUri", Ct);

        await Store.SetBucketOwnerAsync(new BucketOwner("local", "moving", TenantB, DateTimeOffset.UtcNow), Ct);

        await DeniedAsync(() => buckets.AuthorizeAsync(TenantA, "oss://moving/", "logUri", Ct));
        await buckets.AuthorizeAsync(TenantB, "oss://moving/", "logUri", Ct);
    }

    [Fact]
    public async Task AuthorizeAsync_SeveralUris_NamesTheFirstDeniedField()
    {
        var buckets = Ownership();
        await buckets.AuthorizeAsync(TenantA, "oss://a-only/", "logUri", Ct);

        var error = await DeniedAsync(() => buckets.AuthorizeAsync(TenantB,
            [("oss://b-new/pkg.tgz", "dag.tasks.t.packagePath"), ("oss://a-only/out/", "dag.tasks.t.stdoutRedirectPath")], Ct));

        Assert.StartsWith("dag.tasks.t.stdoutRedirectPath: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_TwoOwnersForOneStoreBucket_FailsNamingBoth()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Ownership(new() { ["oss://same"] = TenantA, ["bos://same"] = TenantB }));

        Assert.Contains("oss://same", error.Message, StringComparison.Ordinal);
        Assert.Contains("bos://same", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("oss://bucket/key")]
    [InlineData("gs://bucket")]
    [InlineData("oss://")]
    public void Constructor_KeyThatIsNoReachableBucket_Fails(string key)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Ownership(new() { [key] = TenantA }));

        Assert.Contains($"BucketOwners:{key}", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A second store under another name (as an S3 store would be), over a folder.</summary>
    private sealed class NamedStore(string name, IObjectStore inner) : IObjectStore
    {
        public string Name => name;

        public Task<ObjectInfo?> HeadAsync(ObjectUri uri, CancellationToken cancellationToken) => inner.HeadAsync(uri, cancellationToken);

        public Task<Stream> OpenReadAsync(ObjectUri uri, long offset, long? length, CancellationToken cancellationToken) => inner.OpenReadAsync(uri, offset, length, cancellationToken);

        public Task<ObjectInfo> PutAsync(ObjectUri uri, Stream content, CancellationToken cancellationToken) => inner.PutAsync(uri, content, cancellationToken);

        public Task<ObjectListing> ListAsync(ObjectUri prefix, string? delimiter, string? marker, int maxKeys, CancellationToken cancellationToken) =>
            inner.ListAsync(prefix, delimiter, marker, maxKeys, cancellationToken);

        public Task DeleteAsync(ObjectUri uri, CancellationToken cancellationToken) => inner.DeleteAsync(uri, cancellationToken);

        public Task<ObjectInfo> CopyAsync(ObjectUri source, ObjectUri destination, CancellationToken cancellationToken) => inner.CopyAsync(source, destination, cancellationToken);

        public Task CreateBucketAsync(ObjectUri bucket, CancellationToken cancellationToken) => inner.CreateBucketAsync(bucket, cancellationToken);
    }
}
