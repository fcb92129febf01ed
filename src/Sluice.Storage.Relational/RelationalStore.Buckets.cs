using System.Globalization;
using Sluice.Core.Model;

namespace Sluice.Storage.Relational;

public abstract partial class RelationalStore
{
    private const string BucketOwnerSql = "SELECT store_name, bucket, account_id, created_at FROM bucket_owners WHERE store_name = $1 AND bucket = $2";

    private const string ClaimBucketSql = """
        INSERT INTO bucket_owners (store_name, bucket, account_id, created_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (store_name, bucket) DO NOTHING
        """;

    private const string SetBucketOwnerSql = """
        INSERT INTO bucket_owners (store_name, bucket, account_id, created_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (store_name, bucket) DO UPDATE SET account_id = excluded.account_id, created_at = excluded.created_at
        """;

    /// <inheritdoc />
    public async Task<BucketOwner?> GetBucketOwnerAsync(string storeName, string bucket, CancellationToken cancellationToken)
    {
        var rows = await Database.ReadAsync(BucketOwnerSql, [StoreKey(storeName), bucket], reader => new BucketOwner(
            reader.GetString(0), reader.GetString(1), reader.GetString(2), UnixMicros.To(reader.GetInt64(3))), cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <inheritdoc />
    public Task<BucketOwner> ClaimBucketAsync(BucketOwner owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var store = StoreKey(owner.StoreName);
        return WriteAsync(async ctx =>
        {
            ctx.Execute(ClaimBucketSql, store, owner.Bucket, owner.AccountId, UnixMicros.From(owner.CreatedAt));
            // Read in the same transaction: after a lost race (another server's claim committed first) this is the winner.
            var accountId = (string)(await ctx.ScalarAsync("SELECT account_id FROM bucket_owners WHERE store_name = $1 AND bucket = $2",
                store, owner.Bucket).ConfigureAwait(false))!;
            var createdAt = Convert.ToInt64(await ctx.ScalarAsync("SELECT created_at FROM bucket_owners WHERE store_name = $1 AND bucket = $2",
                store, owner.Bucket).ConfigureAwait(false), CultureInfo.InvariantCulture);
            return new BucketOwner(store, owner.Bucket, accountId, UnixMicros.To(createdAt));
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task SetBucketOwnerAsync(BucketOwner owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return WriteAsync(ctx => ctx.Execute(SetBucketOwnerSql, StoreKey(owner.StoreName), owner.Bucket, owner.AccountId, UnixMicros.From(owner.CreatedAt)), cancellationToken);
    }

    /// <summary>Store names are case-insensitive in the configuration, so the key is lower-cased.</summary>
    private static string StoreKey(string storeName) => storeName.ToLowerInvariant();
}
