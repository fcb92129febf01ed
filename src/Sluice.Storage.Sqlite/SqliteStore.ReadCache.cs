using System.Collections.Concurrent;
using Sluice.Core.Model;

namespace Sluice.Storage.Sqlite;

// SQLite-specific because it is exact only here and measurably pays: this process is the file's only writer, so the
// writer's batch count (SqliteDatabase.WriteGeneration) says exactly when a kept read may be stale. A read is kept
// with the count read before its query and served again while the count has not moved; a batch that ends during
// the query moves it, so the entry is stale at once. PostgreSQL has other servers writing and no such clock.
// - Clusters: pollers (SDK waiters, dashboards, the scheduler) ask for the same clusters far more often than anything
//   changes (GET cluster at 64 connections: server CPU 118 -> 69 us/request).
public sealed partial class SqliteStore
{
    // Bounded: at the cap the cache starts over rather than tracking recency.
    private const int MaxCachedReads = 4096;
    private readonly ConcurrentDictionary<(string AccountId, string ClusterId), (long Generation, Task<Cluster?> Read)> _clusterReads = new();

    /// <inheritdoc />
    public override Task<Cluster?> GetClusterAsync(string accountId, string clusterId, CancellationToken cancellationToken)
    {
        // Read before the query: a write that ends during it moves the generation on, so the entry is stale at once.
        var generation = _database.WriteGeneration;
        if (_clusterReads.TryGetValue((accountId, clusterId), out var cached) && cached.Generation == generation)
        {
            return cached.Read;
        }
        return ReadClusterAsync(accountId, clusterId, generation, cancellationToken);
    }

    private async Task<Cluster?> ReadClusterAsync(string accountId, string clusterId, long generation, CancellationToken cancellationToken)
    {
        var read = await base.GetClusterAsync(accountId, clusterId, cancellationToken).ConfigureAwait(false);
        if (read is not null)
        {
            var key = (accountId, clusterId);
            // ConcurrentDictionary.Count takes every lock: only a new key, not a refreshed one, can pass the bound.
            if (!_clusterReads.ContainsKey(key) && _clusterReads.Count >= MaxCachedReads)
            {
                _clusterReads.Clear();
            }
            _clusterReads[key] = (generation, Task.FromResult<Cluster?>(read));
        }
        return read;
    }
}
