using Sluice.Core.Model;

namespace Sluice.Storage.Relational;

public abstract partial class RelationalStore
{
    private const string InsertClusterSql = """
        INSERT INTO clusters (cluster_id, account_id, name, description, state, reason_code, reason_message,
            keep_alive, termination_protected, log_uri, backend, bootstrap_actions_json, tags_json, owner_job_id,
            has_run_work, client_token, request_hash, created_at, ready_at, ended_at, applications_json, step_concurrency_level,
            mounts_json, image_id, environment_json, idle_timeout_seconds)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)
        """;

    private const string InsertGroupSql = """
        INSERT INTO instance_groups (cluster_id, group_id, account_id, ordinal, name, role, instance_type, market,
            requested_count, running_count, vcpus, memory_mib, spot_strategy, spot_price_limit)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
        """;

    /// <inheritdoc />
    public Task InsertClusterAsync(Cluster cluster, CancellationToken cancellationToken) =>
        WriteAsync(async ctx =>
        {
            await InsertWithClientTokenAsync(ctx, "clusters", cluster.ClientToken, c =>
            {
                c.Execute(InsertClusterSql, cluster.Id, cluster.AccountId, cluster.Name, cluster.Description, cluster.State.ToString(),
                    cluster.Reason?.Code, cluster.Reason?.Message, cluster.KeepAlive, cluster.TerminationProtected, cluster.LogUri,
                    cluster.Backend, JsonColumns.FromActions(cluster.BootstrapActions), JsonColumns.FromMap(cluster.Tags), cluster.OwnerJobId,
                    cluster.HasRunWork, cluster.ClientToken, cluster.RequestHash, UnixMicros.From(cluster.CreatedAt),
                    UnixMicros.From(cluster.ReadyAt), UnixMicros.From(cluster.EndedAt), JsonColumns.FromApplications(cluster.Applications),
                    (long)cluster.StepConcurrencyLevel, JsonColumns.FromMounts(cluster.Mounts), cluster.ImageId,
                    JsonColumns.FromMap(cluster.Environment), IdleSeconds(cluster.IdleTimeout));
                for (var i = 0; i < cluster.Groups.Count; i++)
                {
                    var g = cluster.Groups[i];
                    c.Execute(InsertGroupSql, cluster.Id, g.Id, cluster.AccountId, i, g.Name, g.Role.ToString(), g.InstanceType, g.Market.ToString(),
                        (long)g.RequestedCount, (long)g.RunningCount, (long)g.Vcpus, g.MemoryMiB, g.SpotStrategy, g.SpotPriceLimit);
                }
            }).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    // One statement for the cluster and its groups (one read snapshot, one round trip); the cluster's columns
    // repeat on each group row and are read from the first. Column order: SqlColumns.Cluster, then SqlColumns.Group.
    private const string GetClusterSql = """
        SELECT c.cluster_id, c.account_id, c.name, c.description, c.state, c.reason_code, c.reason_message, c.keep_alive,
            c.termination_protected, c.log_uri, c.backend, c.bootstrap_actions_json, c.tags_json, c.owner_job_id,
            c.has_run_work, c.client_token, c.request_hash, c.created_at, c.ready_at, c.ended_at, c.applications_json,
            c.step_concurrency_level, c.mounts_json, c.image_id, c.environment_json, c.idle_timeout_seconds, g.group_id, g.cluster_id, g.name, g.role, g.instance_type,
            g.market, g.requested_count, g.running_count, g.vcpus, g.memory_mib, g.spot_strategy, g.spot_price_limit
        FROM clusters AS c
        LEFT JOIN instance_groups AS g ON g.cluster_id = c.cluster_id AND g.account_id = c.account_id
        WHERE c.account_id = $1 AND c.cluster_id = $2
        ORDER BY g.ordinal
        """;

    private const int FirstGroupColumn = 26;

    /// <inheritdoc />
    public virtual async Task<Cluster?> GetClusterAsync(string accountId, string clusterId, CancellationToken cancellationToken)
    {
        var rows = await Database.ReadAsync(GetClusterSql, [accountId, clusterId],
            static r => (Cluster: RowReaders.Cluster(r), Group: r.IsDBNull(FirstGroupColumn) ? null : RowReaders.Group(r, FirstGroupColumn)),
            cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            return null;
        }

        var groups = new List<InstanceGroup>(rows.Count);
        foreach (var (_, group) in rows)
        {
            if (group is not null)
            {
                groups.Add(group.ToModel());
            }
        }

        return rows[0].Cluster.ToModel(groups);
    }

    /// <inheritdoc />
    public async Task<Cluster?> FindClusterByClientTokenAsync(string accountId, string clientToken, CancellationToken cancellationToken)
    {
        var rows = await Database.QueryAsync<ClusterRow>($"SELECT {SqlColumns.Cluster} FROM clusters WHERE account_id = @accountId AND client_token = @clientToken",
            new { accountId, clientToken }, cancellationToken).ConfigureAwait(false);
        return (await WithGroupsAsync(rows, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
    }

    /// <inheritdoc />
    public async Task<Page<Cluster>> ListClustersAsync(string accountId, ListFilter<ClusterState> filter, string? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var stateNames = Paging.StateNames(filter.States);
        var (createdAfter, createdBefore) = (UnixMicros.From(filter.CreatedAfter), UnixMicros.From(filter.CreatedBefore));
        var sql = $"SELECT {SqlColumns.Cluster} FROM clusters WHERE account_id = @accountId AND cluster_id > @after"
            + (stateNames is null ? "" : " AND " + Dialect.AnyOf("state", "@stateNames"))
            + (createdAfter is null ? "" : " AND created_at >= @createdAfter")
            + (createdBefore is null ? "" : " AND created_at <= @createdBefore")
            + " ORDER BY cluster_id LIMIT @fetch";
        var rows = await Database.QueryAsync<ClusterRow>(sql, new { accountId, after = after ?? "", stateNames, createdAfter, createdBefore, fetch = limit + 1 }, cancellationToken).ConfigureAwait(false);
        return Paging.ToPage(await WithGroupsAsync(rows, cancellationToken).ConfigureAwait(false), limit, c => c.Id);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Cluster>> ListActiveClustersAsync(CancellationToken cancellationToken)
    {
        var rows = await Database.QueryAsync<ClusterRow>(
            $"SELECT {SqlColumns.Cluster} FROM clusters WHERE state NOT IN ('Terminated', 'TerminatedWithErrors') ORDER BY cluster_id",
            null, cancellationToken).ConfigureAwait(false);
        return await WithGroupsAsync(rows, cancellationToken).ConfigureAwait(false);
    }

    private const string InsertClusterEventSql = """
        INSERT INTO events (account_id, kind, resource_id, from_state, to_state, reason_code, reason_message, at)
        SELECT account_id, 'Cluster', cluster_id, state, $3, $4, $5, $6 FROM clusters
        WHERE account_id = $1 AND cluster_id = $2
        """;

    // ReadyAt is set the first time the state is Running or Waiting; EndedAt when it ends (kept if it
    // was already ended). In an UPDATE the columns are the old values.
    private const string UpdateClusterStateSql = """
        UPDATE clusters SET state = $3, reason_code = $4, reason_message = $5,
            ready_at = COALESCE(ready_at, CASE WHEN $7 THEN $6 END),
            ended_at = CASE
                WHEN $8 THEN COALESCE(CASE WHEN state IN ('Terminated', 'TerminatedWithErrors') THEN ended_at END, $6)
                ELSE ended_at END
        WHERE account_id = $1 AND cluster_id = $2
        """;

    /// <inheritdoc />
    public Task SetClusterStateAsync(string accountId, string clusterId, ClusterState state, StateReason? reason, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync(ctx =>
        {
            var stateName = state.ToString();
            var atMicros = UnixMicros.From(at);
            ctx.Execute(InsertClusterEventSql, accountId, clusterId, stateName, reason?.Code, reason?.Message, atMicros);
            var ended = state is ClusterState.Terminated or ClusterState.TerminatedWithErrors;
            ctx.Execute(UpdateClusterStateSql, accountId, clusterId, stateName, reason?.Code, reason?.Message, atMicros,
                state is ClusterState.Running or ClusterState.Waiting, ended);
            if (ended)
            {
                ctx.Execute(DeletePendingCommandsSql, accountId, clusterId);
            }
        }, cancellationToken);

    /// <inheritdoc />
    public Task RecordClusterEventAsync(string accountId, string clusterId, StateReason reason, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync(ctx => ctx.Execute("""
            INSERT INTO events (account_id, kind, resource_id, from_state, to_state, reason_code, reason_message, at)
            SELECT account_id, 'Cluster', cluster_id, state, state, $3, $4, $5 FROM clusters
            WHERE account_id = $1 AND cluster_id = $2
            """, accountId, clusterId, reason.Code, reason.Message, UnixMicros.From(at)), cancellationToken);

    /// <inheritdoc />
    public Task UpdateClusterAttributesAsync(string accountId, string clusterId, bool? terminationProtected, bool? keepAlive,
        IReadOnlyDictionary<string, string>? tags, bool? hasRunWork, CancellationToken cancellationToken) =>
        // The casts type the parameters that may be NULL (PostgreSQL cannot infer them; SQLite ignores them).
        WriteAsync(ctx => ctx.Execute("""
            UPDATE clusters SET
                termination_protected = COALESCE(CAST($3 AS BOOLEAN), termination_protected),
                keep_alive = COALESCE(CAST($4 AS BOOLEAN), keep_alive),
                tags_json = CASE WHEN $5 THEN CAST($6 AS TEXT) ELSE tags_json END,
                has_run_work = COALESCE(CAST($7 AS BOOLEAN), has_run_work)
            WHERE account_id = $1 AND cluster_id = $2
            """, accountId, clusterId, terminationProtected, keepAlive, tags is not null, JsonColumns.FromMap(tags), hasRunWork), cancellationToken);

    /// <inheritdoc />
    public Task SetClusterIdleTimeoutAsync(string accountId, string clusterId, TimeSpan? idleTimeout, CancellationToken cancellationToken) =>
        WriteAsync(ctx => ctx.Execute("UPDATE clusters SET idle_timeout_seconds = CAST($3 AS INTEGER) WHERE account_id = $1 AND cluster_id = $2",
            accountId, clusterId, IdleSeconds(idleTimeout)), cancellationToken);

    private static long? IdleSeconds(TimeSpan? idleTimeout) => idleTimeout is { } idle ? (long)idle.TotalSeconds : null;

    /// <inheritdoc />
    public Task UpdateInstanceGroupCountsAsync(string accountId, string clusterId, string groupId, int requestedCount, int runningCount, CancellationToken cancellationToken) =>
        WriteAsync(ctx => ctx.Execute("""
            UPDATE instance_groups SET requested_count = $4, running_count = $5
            WHERE account_id = $1 AND cluster_id = $2 AND group_id = $3
            """, accountId, clusterId, groupId, (long)requestedCount, (long)runningCount), cancellationToken);

    // The event reads the previous row before the upsert replaces it. A new node's event is at its
    // creation; a change of an existing one at $5 (its end, or the clock). Another account's row is never touched.
    private const string InsertNodeEventSql = """
        INSERT INTO events (account_id, kind, resource_id, from_state, to_state, at)
        SELECT $2, 'Node', $1, prev.state, $3, CASE WHEN prev.node_id IS NULL THEN $4 ELSE $5 END
        FROM (SELECT 1) AS one LEFT JOIN nodes AS prev ON prev.node_id = $1
        WHERE prev.node_id IS NULL OR (prev.account_id = $2 AND prev.state <> $3)
        """;

    private const string UpsertNodeSql = """
        INSERT INTO nodes (node_id, account_id, cluster_id, group_id, role, state, vcpus, memory_mib, host, work_directory, created_at, ended_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
        ON CONFLICT (node_id) DO UPDATE SET
            cluster_id = excluded.cluster_id, group_id = excluded.group_id, role = excluded.role,
            state = excluded.state, vcpus = excluded.vcpus, memory_mib = excluded.memory_mib,
            host = excluded.host, work_directory = excluded.work_directory,
            created_at = excluded.created_at, ended_at = excluded.ended_at
        WHERE nodes.account_id = excluded.account_id
        """;

    /// <inheritdoc />
    public Task UpsertNodeAsync(Node node, CancellationToken cancellationToken) =>
        WriteAsync(ctx =>
        {
            var state = node.State.ToString();
            var changedAt = node.State is NodeState.Terminated or NodeState.Preempted && node.EndedAt is { } ended ? ended : Now;
            ctx.Execute(InsertNodeEventSql, node.Id, node.AccountId, state, UnixMicros.From(node.CreatedAt), UnixMicros.From(changedAt));
            ctx.Execute(UpsertNodeSql, node.Id, node.AccountId, node.ClusterId, node.GroupId, node.Role.ToString(), state, (long)node.Vcpus,
                node.MemoryMiB, node.Host, node.WorkDirectory, UnixMicros.From(node.CreatedAt), UnixMicros.From(node.EndedAt));
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Node>> ListNodesAsync(string accountId, string clusterId, CancellationToken cancellationToken) =>
        [.. (await Database.QueryAsync<NodeRow>($"SELECT {SqlColumns.Node} FROM nodes WHERE account_id = @accountId AND cluster_id = @clusterId ORDER BY node_id",
            new { accountId, clusterId }, cancellationToken).ConfigureAwait(false)).Select(r => r.ToModel())];

    /// <summary>Loads the groups of the given clusters (of their own accounts): one query per account and 500 clusters.</summary>
    private async Task<List<Cluster>> WithGroupsAsync(List<ClusterRow> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        var groups = new Dictionary<string, List<InstanceGroup>>(StringComparer.Ordinal);
        foreach (var accountRows in rows.GroupBy(r => r.AccountId, StringComparer.Ordinal))
        {
            // 500 keeps SQLite, which gets one parameter per id, far below its variable limit.
            foreach (var ids in accountRows.Select(r => r.Id).Chunk(500))
            {
                var groupRows = await Database.QueryAsync<GroupRow>(
                    $"SELECT {SqlColumns.Group} FROM instance_groups WHERE account_id = @accountId AND {Dialect.AnyOf("cluster_id", "@ids")} ORDER BY cluster_id, ordinal",
                    new { accountId = accountRows.Key, ids }, cancellationToken).ConfigureAwait(false);
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
