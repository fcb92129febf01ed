using Microsoft.Extensions.Options;
using Sluice.Contracts;
using Sluice.Core.Model;
using Sluice.Core.Ports;

namespace Sluice.Core.ObjectStorage;

/// <summary>
/// Decides whether an account may read or write the bucket of an object URI, and records who owns a bucket the first
/// time an account uses it. Every server-side path that touches a bucket for an account asks here: the services at
/// submit, before anything is stored, and the scheduler and log shipper again right before they read or write.
/// </summary>
/// <remarks>
/// A bucket is its store and its name (<see cref="BucketOwner"/>): every scheme mapped to one store reaches the same
/// bytes. The rules, in order:
/// <list type="number">
/// <item><c>ObjectStorage:BucketOwners</c> names the owner: that account only.</item>
/// <item>A bucket of an external (S3) store the configuration assigns to nobody: the admin only. Sluice never makes
/// buckets there, so an account cannot come to own one by naming it first.</item>
/// <item>A bucket of the local store with a recorded owner: that account only.</item>
/// <item>An unowned local bucket that exists already (data from before owners were recorded, or made by the operator
/// with <c>sluice fs mb</c>) becomes the admin's; one that does not exist yet becomes the asking account's.</item>
/// </list>
/// The admin is the account marked admin (the one the first <c>sluice up</c> of a data directory creates), or the oldest
/// account of a store without one.
/// </remarks>
public sealed class BucketOwnership
{
    private readonly IStore _store;
    private readonly ObjectStoreResolver _objects;
    private readonly TimeProvider _time;
    private readonly Dictionary<(string Store, string Bucket), string> _configured = [];
    private string? _admin;

    public BucketOwnership(IStore store, ObjectStoreResolver objects, IOptions<ObjectStorageOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _objects = objects;
        _time = time;
        var sources = new Dictionary<(string, string), string>();
        foreach (var (uri, accountId) in options.Value.BucketOwners)
        {
            ObjectLocation location;
            try
            {
                location = objects.Resolve(uri);
            }
            catch (ServiceException e)
            {
                throw new InvalidOperationException($"object storage configuration BucketOwners:{uri} is not a bucket Sluice can reach ({e.Message}); key it 'scheme://bucket'", e);
            }
            if (location.Uri.Key.Length > 0)
            {
                throw new InvalidOperationException($"object storage configuration BucketOwners:{uri} names a key; owners are per bucket, key them 'scheme://bucket'");
            }
            var key = KeyOf(location);
            var owner = accountId?.Trim() ?? "";
            if (_configured.TryGetValue(key, out var earlier) && earlier != owner)
            {
                throw new InvalidOperationException(
                    $"object storage configuration gives bucket '{key.Bucket}' of store '{key.Store}' two owners: BucketOwners:{sources[key]} = '{earlier}' and BucketOwners:{uri} = '{owner}'");
            }
            _configured[key] = owner;
            sources[key] = uri;
        }
    }

    /// <summary>Throws <see cref="ErrorCodes.AccessDenied"/> unless <paramref name="accountId"/> may use the bucket of every URI; an unowned bucket is claimed.</summary>
    /// <param name="accountId">The account the work is done for.</param>
    /// <param name="uris">Object URIs with the request field each came from (named in the error).</param>
    /// <param name="cancellationToken">Cancels the store reads.</param>
    /// <param name="claim">
    /// False to check only: an unowned bucket the account would get passes and stays unowned (a request that may still be
    /// refused for another reason claims it once it is accepted).
    /// </param>
    public async Task AuthorizeAsync(string accountId, IEnumerable<(string Uri, string Field)> uris, CancellationToken cancellationToken, bool claim = true)
    {
        ArgumentNullException.ThrowIfNull(uris);
        var seen = new HashSet<(string, string)>();
        foreach (var (uri, field) in uris)
        {
            var location = Resolve(uri, field);
            if (seen.Add(KeyOf(location)))
            {
                await AuthorizeAsync(accountId, location, field, cancellationToken, claim).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Throws <see cref="ErrorCodes.AccessDenied"/> unless <paramref name="accountId"/> may use the bucket of <paramref name="uri"/>; an unowned bucket is claimed.</summary>
    public Task AuthorizeAsync(string accountId, string uri, string field, CancellationToken cancellationToken) =>
        AuthorizeAsync(accountId, Resolve(uri, field), field, cancellationToken);

    /// <summary>Throws <see cref="ErrorCodes.AccessDenied"/> unless <paramref name="accountId"/> may use the location's bucket; an unowned bucket is claimed.</summary>
    public async Task AuthorizeAsync(string accountId, ObjectLocation location, string field, CancellationToken cancellationToken, bool claim = true)
    {
        ArgumentNullException.ThrowIfNull(location);
        var key = KeyOf(location);
        if (_configured.TryGetValue(key, out var configured))
        {
            if (configured.Length > 0 && configured == accountId)
            {
                return;
            }
            throw Denied(location, field);
        }
        if (!string.Equals(key.Store, ObjectStorageOptions.LocalStoreName, StringComparison.Ordinal))
        {
            if (await AdminAsync(cancellationToken).ConfigureAwait(false) == accountId)
            {
                return;
            }
            throw new ServiceException(ErrorCodes.AccessDenied,
                $"{field}: bucket '{location.Uri.Scheme}://{key.Bucket}' of object store '{location.Store.Name}' is assigned to no account; " +
                $"an operator assigns it with ObjectStorage:BucketOwners:{location.Uri.Scheme}://{key.Bucket}=<account id>");
        }
        var owner = await _store.GetBucketOwnerAsync(key.Store, key.Bucket, cancellationToken).ConfigureAwait(false);
        if (owner is null)
        {
            var claimant = await ExistsAsync(location, cancellationToken).ConfigureAwait(false)
                ? await AdminAsync(cancellationToken).ConfigureAwait(false) ?? accountId
                : accountId;
            if (!claim)
            {
                if (claimant != accountId)
                {
                    throw Denied(location, field);
                }
                return;
            }
            owner = await _store.ClaimBucketAsync(new BucketOwner(key.Store, key.Bucket, claimant, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        }
        if (owner.AccountId != accountId)
        {
            throw Denied(location, field);
        }
    }

    private ObjectLocation Resolve(string uri, string field)
    {
        try
        {
            return _objects.Resolve(uri);
        }
        catch (ServiceException e)
        {
            throw new ServiceException(e.Code, $"{field}: {e.Message}");
        }
    }

    private static (string Store, string Bucket) KeyOf(ObjectLocation location) => (location.Store.Name.ToLowerInvariant(), location.Uri.Bucket);

    private static ServiceException Denied(ObjectLocation location, string field) =>
        new(ErrorCodes.AccessDenied,
            $"{field}: bucket '{location.Uri.Scheme}://{location.Uri.Bucket}' belongs to another account; use a bucket of your own " +
            "(an operator can reassign it with ObjectStorage:BucketOwners)");

    /// <summary>Accounts are never deleted and the admin never changes, so it is read once.</summary>
    private async Task<string?> AdminAsync(CancellationToken cancellationToken)
    {
        if (_admin is { } admin)
        {
            return admin;
        }
        var accounts = await _store.ListAccountsAsync(cancellationToken).ConfigureAwait(false);
        var ordered = accounts.OrderBy(a => a.CreatedAt).ThenBy(a => a.Id, StringComparer.Ordinal).ToList();
        _admin = (ordered.FirstOrDefault(a => a.IsAdmin) ?? ordered.FirstOrDefault())?.Id;
        return _admin;
    }

    private static async Task<bool> ExistsAsync(ObjectLocation location, CancellationToken cancellationToken)
    {
        try
        {
            await location.Store.ListAsync(location.Uri.WithKey(""), null, null, 1, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ServiceException e) when (e.Code == ErrorCodes.BucketNotFound)
        {
            return false;
        }
    }
}
