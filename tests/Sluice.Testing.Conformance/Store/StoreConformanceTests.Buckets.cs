using Sluice.Core.Model;
using static Sluice.Testing.Conformance.Store.StoreSamples;

namespace Sluice.Testing.Conformance.Store;

public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task GetBucketOwnerAsync_Unclaimed_ReturnsNull() =>
        Assert.Null(await Store.GetBucketOwnerAsync("local", "nobodys", Ct));

    [Fact]
    public async Task ClaimBucketAsync_Unclaimed_RecordsTheClaimantDurably()
    {
        var claim = new BucketOwner("local", "logs-a", A, T0);

        var owner = await Store.ClaimBucketAsync(claim, Ct);
        await ReopenAsync();

        Assert.Equal(claim, owner);
        var read = await Store.GetBucketOwnerAsync("local", "logs-a", Ct);
        Assert.Equal(claim, read);
        StoreAssert.Utc(read!.CreatedAt);
    }

    [Fact]
    public async Task ClaimBucketAsync_ClaimedByAnother_KeepsAndReturnsTheFirstOwner()
    {
        var first = await Store.ClaimBucketAsync(new BucketOwner("local", "logs-a", A, T0), Ct);

        var second = await Store.ClaimBucketAsync(new BucketOwner("local", "logs-a", B, At(5)), Ct);

        Assert.Equal(first, second);
        Assert.Equal(A, (await Store.GetBucketOwnerAsync("local", "logs-a", Ct))!.AccountId);
    }

    [Fact]
    public async Task ClaimBucketAsync_ConcurrentClaims_ExactlyOneWinsAndAllSeeIt()
    {
        var claims = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Store.ClaimBucketAsync(new BucketOwner("local", "contested", $"acct-{i}", At(i)), Ct)));

        var winner = Assert.Single(claims.Select(c => c.AccountId).Distinct());
        Assert.Equal(winner, (await Store.GetBucketOwnerAsync("local", "contested", Ct))!.AccountId);
    }

    [Fact]
    public async Task ClaimBucketAsync_StoreNameInAnyCase_IsOneBucket()
    {
        await Store.ClaimBucketAsync(new BucketOwner("MinIO", "shared", A, T0), Ct);

        var again = await Store.ClaimBucketAsync(new BucketOwner("minio", "shared", B, T0), Ct);

        Assert.Equal(A, again.AccountId);
        Assert.Equal("minio", again.StoreName);
        Assert.Equal(A, (await Store.GetBucketOwnerAsync("MINIO", "shared", Ct))!.AccountId);
    }

    [Fact]
    public async Task ClaimBucketAsync_SameBucketOfAnotherStore_IsAnotherBucket()
    {
        await Store.ClaimBucketAsync(new BucketOwner("local", "shared", A, T0), Ct);

        var other = await Store.ClaimBucketAsync(new BucketOwner("minio", "shared", B, T0), Ct);

        Assert.Equal(B, other.AccountId);
        Assert.Equal(A, (await Store.GetBucketOwnerAsync("local", "shared", Ct))!.AccountId);
    }

    [Fact]
    public async Task SetBucketOwnerAsync_Claimed_ReplacesTheOwner()
    {
        await Store.ClaimBucketAsync(new BucketOwner("local", "moved", A, T0), Ct);

        await Store.SetBucketOwnerAsync(new BucketOwner("local", "moved", B, At(9)), Ct);

        Assert.Equal(new BucketOwner("local", "moved", B, At(9)), await Store.GetBucketOwnerAsync("local", "moved", Ct));
        Assert.Equal(B, (await Store.ClaimBucketAsync(new BucketOwner("local", "moved", A, At(10)), Ct)).AccountId);
    }
}
