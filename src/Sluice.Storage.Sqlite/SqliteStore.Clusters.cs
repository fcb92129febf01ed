using Sluice.Storage.Relational;
using Dapper;
using Microsoft.Data.Sqlite;
using Sluice.Core.Model;
using Sluice.Core.Ports;

namespace Sluice.Storage.Sqlite;

public sealed partial class SqliteStore
{
    // Clusters as last read, with the writer generation they were read at (see GetClusterAsync). Bounded: at the
    // cap it starts over rather than tracking recency.
    private const int MaxCachedClusterReads = 4096;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string AccountId, string ClusterId), (long Generation, Task<Cluster?> Read)> _clusterReads = new();

    private static readonly string[] EndedClusterStates = [nameof(ClusterState.Terminated), nameof(ClusterState.TerminatedWithErrors)];

    /// <inheritdoc />
    public Task InsertClusterAsync(Cluster cluster, CancellationToken cancellationToken) =>
        SqliteWriteAsync(ctx =>
        {
            if (cluster.ClientToken is not null && ctx.Exists(
                    "SELECT 1 FROM clusters WHERE account_id = @AccountId AND client_token = @ClientToken",
                    new { cluster.AccountId, cluster.ClientToken }))
            {
                throw new DuplicateClientTokenException(cluster.ClientToken);
            }

            ctx.Execute("""
                INSERT INTO clusters (cluster_id, account_id, name, description, state, reason_code, reason_message,
                    keep_alive, termination_protected, log_uri, backend, bootstrap_actions_json, tags_json, owner_job_id,
                    has_run_work, client_token, request_hash, created_at, ready_at, ended_at, applications_json, step_concurrency_level,
                    mounts_json)
                VALUES (@Id, @AccountId, @Name, @Description, @State, @ReasonCode, @ReasonMessage,
                    @KeepAlive, @TerminationProtected, @LogUri, @Backend, @BootstrapActionsJson, @TagsJson, @OwnerJobId,
                    @HasRunWork, @ClientToken, @RequestHash, @CreatedAt, @ReadyAt, @EndedAt, @ApplicationsJson, @StepConcurrencyLevel,
                    @MountsJson)
                """,
                new
                {
                    cluster.Id,
                    cluster.AccountId,
                    cluster.Name,
                    cluster.Description,
                    State = cluster.State.ToString(),
                    ReasonCode = cluster.Reason?.Code,
                    ReasonMessage = cluster.Reason?.Message,
                    cluster.KeepAlive,
                    cluster.TerminationProtected,
                    cluster.LogUri,
                    cluster.Backend,
                    BootstrapActionsJson = JsonColumns.FromActions(cluster.BootstrapActions),
                    TagsJson = JsonColumns.FromMap(cluster.Tags),
                    cluster.OwnerJobId,
                    cluster.HasRunWork,
                    cluster.ClientToken,
                    cluster.RequestHash,
                    CreatedAt = UnixMicros.From(cluster.CreatedAt),
                    ReadyAt = UnixMicros.From(cluster.ReadyAt),
                    EndedAt = UnixMicros.From(cluster.EndedAt),
                    ApplicationsJson = JsonColumns.FromApplications(cluster.Applications),
                    cluster.StepConcurrencyLevel,
                    MountsJson = JsonColumns.FromMounts(cluster.Mounts),
                });

            for (var i = 0; i < cluster.Groups.Count; i++)
            {
                var group = cluster.Groups[i];
                ctx.Execute("""
                    INSERT INTO instance_groups (cluster_id, group_id, account_id, ordinal, name, role, instance_type, market,
                        requested_count, running_count, vcpus, memory_mib)
                    VALUES (@ClusterId, @Id, @AccountId, @Ordinal, @Name, @Role, @InstanceType, @Market,
                        @RequestedCount, @RunningCount, @Vcpus, @MemoryMiB)
                    """,
                    new
                    {
                        ClusterId = cluster.Id,
                        group.Id,
                        cluster.AccountId,
                        Ordinal = i,
                        group.Name,
                        Role = group.Role.ToString(),
                        group.InstanceType,
                        Market = group.Market.ToString(),
                        group.RequestedCount,
                        group.RunningCount,
                        group.Vcpus,
                        group.MemoryMiB,
                    });
            }
        }, cancellationToken);

    // One statement for the cluster and its groups (one read snapshot, one step per group); the
    // cluster's columns repeat on each group row and are read from the first.
    private const string GetClusterSql = """
        SELECT c.cluster_id, c.account_id, c.name, c.description, c.state, c.reason_code, c.reason_message, c.keep_alive,
            c.termination_protected, c.log_uri, c.backend, c.bootstrap_actions_json, c.tags_json, c.owner_job_id,
            c.has_run_work, c.client_token, c.request_hash, c.created_at, c.ready_at, c.ended_at, c.applications_json,
            c.step_concurrency_level, c.mounts_json, g.group_id, g.cluster_id, g.name, g.role, g.instance_type, g.market, g.requested_count, g.running_count,
            g.vcpus, g.memory_mib
        FROM clusters AS c
        LEFT JOIN instance_groups AS g ON g.cluster_id = c.cluster_id AND g.account_id = c.account_id
        WHERE c.account_id = @account_id AND c.cluster_id = @cluster_id
        ORDER BY g.ordinal
        """;

    /// <inheritdoc />
    /// <remarks>
    /// Served from <see cref="_clusterReads"/> while no write batch has ended since the cached read: pollers
    /// (SDK waiters, dashboards, the scheduler) ask for the same clusters far more often than anything changes.
    /// </remarks>
    public Task<Cluster?> GetClusterAsync(string accountId, string clusterId, CancellationToken cancellationToken)
    {
        // Read before the query: a write that ends during it moves the generation on, so the entry is stale at once.
        var generation = _writer.Generation;
        if (_clusterReads.TryGetValue((accountId, clusterId), out var cached) && cached.Generation == generation)
        {
            return cached.Read;
        }
        return ReadClusterAsync(accountId, clusterId, generation, cancellationToken);
    }

    private async Task<Cluster?> ReadClusterAsync(string accountId, string clusterId, long generation, CancellationToken cancellationToken)
    {
        var read = await HotReadAsync(commands =>
        {
            using var reader = commands.Get(GetClusterSql, null, "@account_id", "@cluster_id").Bind(0, accountId).Bind(1, clusterId).ExecuteReader();
            if (!reader.Read())
            {
                return null;
            }

            var cluster = RowReaders.Cluster(reader);
            var groups = new List<InstanceGroup>();
            do
            {
                if (!reader.IsDBNull(23))
                {
                    groups.Add(RowReaders.Group(reader, 23).ToModel());
                }
            }
            while (reader.Read());

            return cluster.ToModel(groups);
        }, cancellationToken).ConfigureAwait(false);
        if (read is not null)
        {
            // ConcurrentDictionary.Count takes every lock: only a new key, not a refreshed one, can pass the bound.
            var key = (accountId, clusterId);
            if (!_clusterReads.ContainsKey(key) && _clusterReads.Count >= MaxCachedClusterReads)
            {
                _clusterReads.Clear();
            }
            _clusterReads[key] = (generation, Task.FromResult<Cluster?>(read));
        }
        return read;
    }

    /// <inheritdoc />
    public async Task<Cluster?> FindClusterByClientTokenAsync(string accountId, string clientToken, CancellationToken cancellationToken)
    {
        var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var lease = connection.ConfigureAwait(false);
        var rows = await connection.QueryAsync<ClusterRow>(new CommandDefinition(
            $"SELECT {SqlColumns.Cluster} FROM clusters WHERE account_id = @accountId AND client_token = @clientToken",
            new { accountId, clientToken }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return (await WithGroupsAsync(connection, [.. rows], cancellationToken).ConfigureAwait(false)).SingleOrDefault();
    }

    /// <inheritdoc />
    public async Task<Page<Cluster>> ListClustersAsync(string accountId, IReadOnlyCollection<ClusterState>? states, string? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var stateNames = Paging.StateNames(states);
        var sql = $"SELECT {SqlColumns.Cluster} FROM clusters WHERE account_id = @accountId AND cluster_id > @after"
            + (stateNames is null ? "" : " AND state IN @stateNames")
            + " ORDER BY cluster_id LIMIT @fetch";
        var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var lease = connection.ConfigureAwait(false);
        var rows = await connection.QueryAsync<ClusterRow>(new CommandDefinition(
            sql, new { accountId, after = after ?? "", stateNames, fetch = limit + 1 }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var clusters = await WithGroupsAsync(connection, [.. rows], cancellationToken).ConfigureAwait(false);
        return Paging.ToPage(clusters, limit, c => c.Id);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Cluster>> ListActiveClustersAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var lease = connection.ConfigureAwait(false);
        var rows = await connection.QueryAsync<ClusterRow>(new CommandDefinition(
            $"SELECT {SqlColumns.Cluster} FROM clusters WHERE state NOT IN @EndedClusterStates ORDER BY cluster_id",
            new { EndedClusterStates }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return await WithGroupsAsync(connection, [.. rows], cancellationToken).ConfigureAwait(false);
    }

    private const string InsertClusterEventSql = """
        INSERT INTO events (account_id, kind, resource_id, from_state, to_state, reason_code, reason_message, at)
        SELECT account_id, 'Cluster', cluster_id, state, @state, @reason_code, @reason_message, @at FROM clusters
        WHERE account_id = @account_id AND cluster_id = @cluster_id
        """;

    // ReadyAt is set the first time the state is Running or Waiting; EndedAt when it ends (kept if it
    // was already ended). In an UPDATE the columns are the old values.
    private const string UpdateClusterStateSql = """
        UPDATE clusters SET state = @state, reason_code = @reason_code, reason_message = @reason_message,
            ready_at = COALESCE(ready_at, CASE WHEN @readies THEN @at END),
            ended_at = CASE
                WHEN @ends THEN COALESCE(CASE WHEN state IN ('Terminated', 'TerminatedWithErrors') THEN ended_at END, @at)
                ELSE ended_at END
        WHERE account_id = @account_id AND cluster_id = @cluster_id
        """;

    /// <inheritdoc />
    public Task SetClusterStateAsync(string accountId, string clusterId, ClusterState state, StateReason? reason, DateTimeOffset at, CancellationToken cancellationToken) =>
        SqliteWriteAsync(ctx =>
        {
            var stateName = state.ToString();
            var atMicros = UnixMicros.From(at);
            ctx.Prepared(InsertClusterEventSql, "@account_id", "@cluster_id", "@state", "@reason_code", "@reason_message", "@at")
                .Bind(0, accountId)
                .Bind(1, clusterId)
                .Bind(2, stateName)
                .Bind(3, reason?.Code)
                .Bind(4, reason?.Message)
                .Bind(5, atMicros)
                .ExecuteNonQuery();
            ctx.Prepared(UpdateClusterStateSql, "@account_id", "@cluster_id", "@state", "@reason_code", "@reason_message", "@at", "@readies", "@ends")
                .Bind(0, accountId)
                .Bind(1, clusterId)
                .Bind(2, stateName)
                .Bind(3, reason?.Code)
                .Bind(4, reason?.Message)
                .Bind(5, atMicros)
                .Bind(6, state is ClusterState.Running or ClusterState.Waiting)
                .Bind(7, state is ClusterState.Terminated or ClusterState.TerminatedWithErrors)
                .ExecuteNonQuery();
        }, cancellationToken);

    /// <inheritdoc />
    public Task UpdateClusterAttributesAsync(string accountId, string clusterId, bool? terminationProtected, bool? keepAlive,
        IReadOnlyDictionary<string, string>? tags, bool? hasRunWork, CancellationToken cancellationToken) =>
        SqliteWriteAsync(ctx => ctx.Execute("""
            UPDATE clusters SET
                termination_protected = COALESCE(@terminationProtected, termination_protected),
                keep_alive = COALESCE(@keepAlive, keep_alive),
                tags_json = CASE WHEN @replaceTags THEN @tagsJson ELSE tags_json END,
                has_run_work = COALESCE(@hasRunWork, has_run_work)
            WHERE account_id = @accountId AND cluster_id = @clusterId
            """,
            new
            {
                terminationProtected,
                keepAlive,
                replaceTags = tags is not null,
                tagsJson = JsonColumns.FromMap(tags),
                hasRunWork,
                accountId,
                clusterId,
            }), cancellationToken);

    /// <inheritdoc />
    public Task UpdateInstanceGroupCountsAsync(string accountId, string clusterId, string groupId, int requestedCount, int runningCount, CancellationToken cancellationToken) =>
        SqliteWriteAsync(ctx => ctx.Execute("""
            UPDATE instance_groups SET requested_count = @requestedCount, running_count = @runningCount
            WHERE account_id = @accountId AND cluster_id = @clusterId AND group_id = @groupId
            """,
            new { requestedCount, runningCount, accountId, clusterId, groupId }), cancellationToken);

    private const string SelectNodeOwnerSql = "SELECT account_id, state FROM nodes WHERE node_id = @node_id";

    private const string UpsertNodeSql = """
        INSERT INTO nodes (node_id, account_id, cluster_id, group_id, role, state, vcpus, memory_mib, host, work_directory, created_at, ended_at)
        VALUES (@node_id, @account_id, @cluster_id, @group_id, @role, @state, @vcpus, @memory_mib, @host, @work_directory, @created_at, @ended_at)
        ON CONFLICT (node_id) DO UPDATE SET
            cluster_id = excluded.cluster_id, group_id = excluded.group_id, role = excluded.role,
            state = excluded.state, vcpus = excluded.vcpus, memory_mib = excluded.memory_mib,
            host = excluded.host, work_directory = excluded.work_directory,
            created_at = excluded.created_at, ended_at = excluded.ended_at
        WHERE nodes.account_id = excluded.account_id
        """;

    /// <inheritdoc />
    public Task UpsertNodeAsync(Node node, CancellationToken cancellationToken) =>
        SqliteWriteAsync(ctx =>
        {
            string? previousAccount = null;
            string? previousState = null;
            using (var reader = ctx.Prepared(SelectNodeOwnerSql, "@node_id").Bind(0, node.Id).ExecuteReader())
            {
                if (reader.Read())
                {
                    previousAccount = reader.GetString(0);
                    previousState = reader.GetString(1);
                }
            }

            if (previousAccount is not null && previousAccount != node.AccountId)
            {
                // The id belongs to another account: never touch its row.
                return;
            }

            var state = node.State.ToString();
            ctx.Prepared(UpsertNodeSql, "@node_id", "@account_id", "@cluster_id", "@group_id", "@role", "@state", "@vcpus", "@memory_mib",
                    "@host", "@work_directory", "@created_at", "@ended_at")
                .Bind(0, node.Id)
                .Bind(1, node.AccountId)
                .Bind(2, node.ClusterId)
                .Bind(3, node.GroupId)
                .Bind(4, node.Role.ToString())
                .Bind(5, state)
                .Bind(6, node.Vcpus)
                .Bind(7, node.MemoryMiB)
                .Bind(8, node.Host)
                .Bind(9, node.WorkDirectory)
                .Bind(10, UnixMicros.From(node.CreatedAt))
                .Bind(11, UnixMicros.From(node.EndedAt))
                .ExecuteNonQuery();

            if (previousState != state)
            {
                // A node carries no change time: creation uses CreatedAt, an end EndedAt, the rest the clock.
                var at = previousAccount is null ? node.CreatedAt
                    : node.State is NodeState.Terminated or NodeState.Preempted && node.EndedAt is { } ended ? ended
                    : Now;
                ctx.AppendEvent(node.AccountId, ResourceKind.Node, node.Id, previousState, state, null, at);
            }
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Node>> ListNodesAsync(string accountId, string clusterId, CancellationToken cancellationToken)
    {
        var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var lease = connection.ConfigureAwait(false);
        var rows = await connection.QueryAsync<NodeRow>(new CommandDefinition(
            $"SELECT {SqlColumns.Node} FROM nodes WHERE account_id = @accountId AND cluster_id = @clusterId ORDER BY node_id",
            new { accountId, clusterId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToModel())];
    }

    /// <summary>Loads the groups of the given clusters (of their own accounts) in one query.</summary>
    private static async Task<List<Cluster>> WithGroupsAsync(SqliteConnection connection, List<ClusterRow> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        var groups = new Dictionary<string, List<InstanceGroup>>(StringComparer.Ordinal);
        foreach (var accountRows in rows.GroupBy(r => r.AccountId))
        {
            foreach (var chunk in accountRows.Select(r => r.Id).Chunk(500))
            {
                var groupRows = await connection.QueryAsync<GroupRow>(new CommandDefinition(
                    $"SELECT {SqlColumns.Group} FROM instance_groups WHERE account_id = @accountId AND cluster_id IN @ids ORDER BY cluster_id, ordinal",
                    new { accountId = accountRows.Key, ids = chunk }, cancellationToken: cancellationToken)).ConfigureAwait(false);
                foreach (var group in groupRows)
                {
                    if (!groups.TryGetValue(group.ClusterId, out var list))
                    {
                        groups[group.ClusterId] = list = [];
                    }

                    list.Add(group.ToModel());
                }
            }
        }

        return [.. rows.Select(r => r.ToModel(groups.TryGetValue(r.Id, out var list) ? list : []))];
    }
}
