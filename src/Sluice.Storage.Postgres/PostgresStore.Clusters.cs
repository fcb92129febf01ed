using Dapper;
using Npgsql;
using Sluice.Core.Model;
using Sluice.Core.Ports;
using Sluice.Storage.Relational;

namespace Sluice.Storage.Postgres;

public sealed partial class PostgresStore
{
    private const string InsertClusterSql = """
        INSERT INTO clusters (cluster_id, account_id, name, description, state, reason_code, reason_message,
            keep_alive, termination_protected, log_uri, backend, bootstrap_actions_json, tags_json, owner_job_id,
            has_run_work, client_token, request_hash, created_at, ready_at, ended_at, applications_json, step_concurrency_level,
            mounts_json)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)
        """;

    private const string InsertGroupSql = """
        INSERT INTO instance_groups (cluster_id, group_id, account_id, ordinal, name, role, instance_type, market,
            requested_count, running_count, vcpus, memory_mib)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
        """;

    /// <inheritdoc />
    public Task InsertClusterAsync(Cluster cluster, CancellationToken cancellationToken) =>
        PgWriteAsync(async ctx =>
        {
            // Batch-mates' statements go first, so a unique violation below is this mutation's own.
            await ctx.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            ctx.Add(InsertClusterSql, cluster.Id, cluster.AccountId, cluster.Name, cluster.Description, cluster.State.ToString(),
                cluster.Reason?.Code, cluster.Reason?.Message, cluster.KeepAlive, cluster.TerminationProtected, cluster.LogUri,
                cluster.Backend, JsonColumns.FromActions(cluster.BootstrapActions), JsonColumns.FromMap(cluster.Tags), cluster.OwnerJobId,
                cluster.HasRunWork, cluster.ClientToken, cluster.RequestHash, UnixMicros.From(cluster.CreatedAt),
                UnixMicros.From(cluster.ReadyAt), UnixMicros.From(cluster.EndedAt), JsonColumns.FromApplications(cluster.Applications),
                (long)cluster.StepConcurrencyLevel, JsonColumns.FromMounts(cluster.Mounts));
            for (var i = 0; i < cluster.Groups.Count; i++)
            {
                var g = cluster.Groups[i];
                ctx.Add(InsertGroupSql, cluster.Id, g.Id, cluster.AccountId, i, g.Name, g.Role.ToString(), g.InstanceType, g.Market.ToString(),
                    (long)g.RequestedCount, (long)g.RunningCount, (long)g.Vcpus, g.MemoryMiB);
            }

            if (cluster.ClientToken is not null)
            {
                await FlushCheckingTokenAsync(ctx, "ux_clusters_client_token", cluster.ClientToken).ConfigureAwait(false);
            }

            return true;
        }, cancellationToken);

    /// <summary>Sends the mutation's statements now (the caller flushed its batch-mates' first), so a reused client token fails this mutation alone with the port's exception.</summary>
    private static async Task FlushCheckingTokenAsync(PgWriteContext ctx, string constraint, string clientToken)
    {
        try
        {
            await ctx.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.ConstraintName == constraint)
        {
            throw new DuplicateClientTokenException(clientToken);
        }
    }

    /// <inheritdoc />
    public async Task<Cluster?> GetClusterAsync(string accountId, string clusterId, CancellationToken cancellationToken)
    {
        // The most frequent read of the API: both statements go in one message, one round trip on one pooled connection.
        return await ReadAsync(async connection =>
        {
            var reader = await connection.QueryMultipleAsync(new CommandDefinition($"""
                SELECT {SqlColumns.Cluster} FROM clusters WHERE account_id = @accountId AND cluster_id = @clusterId;
                SELECT {SqlColumns.Group} FROM instance_groups WHERE account_id = @accountId AND cluster_id = @clusterId ORDER BY ordinal;
                """, new { accountId, clusterId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var row = (await reader.ReadAsync<ClusterRow>().ConfigureAwait(false)).SingleOrDefault();
                var groups = await reader.ReadAsync<GroupRow>().ConfigureAwait(false);
                return row?.ToModel([.. groups.Select(g => g.ToModel())]);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Cluster?> FindClusterByClientTokenAsync(string accountId, string clientToken, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync<ClusterRow>($"SELECT {SqlColumns.Cluster} FROM clusters WHERE account_id = @accountId AND client_token = @clientToken",
            new { accountId, clientToken }, cancellationToken).ConfigureAwait(false);
        return (await WithGroupsAsync(rows, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
    }

    /// <inheritdoc />
    public async Task<Page<Cluster>> ListClustersAsync(string accountId, IReadOnlyCollection<ClusterState>? states, string? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var stateNames = Paging.StateNames(states);
        var sql = $"SELECT {SqlColumns.Cluster} FROM clusters WHERE account_id = @accountId AND cluster_id > @after"
            + (stateNames is null ? "" : " AND state = ANY(@stateNames)")
            + " ORDER BY cluster_id LIMIT @fetch";
        var rows = await QueryAsync<ClusterRow>(sql, new { accountId, after = after ?? "", stateNames, fetch = limit + 1 }, cancellationToken).ConfigureAwait(false);
        return Paging.ToPage(await WithGroupsAsync(rows, cancellationToken).ConfigureAwait(false), limit, c => c.Id);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Cluster>> ListActiveClustersAsync(CancellationToken cancellationToken)
    {
        var rows = await QueryAsync<ClusterRow>(
            $"SELECT {SqlColumns.Cluster} FROM clusters WHERE state NOT IN ('Terminated', 'TerminatedWithErrors') ORDER BY cluster_id",
            null, cancellationToken).ConfigureAwait(false);
        return await WithGroupsAsync(rows, cancellationToken).ConfigureAwait(false);
    }

    private const string InsertClusterEventSql = """
        INSERT INTO events (account_id, kind, resource_id, from_state, to_state, reason_code, reason_message, at)
        SELECT account_id, 'Cluster', cluster_id, state, $3, $4, $5, $6 FROM clusters
        WHERE account_id = $1 AND cluster_id = $2
        """;

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
        PgWriteAsync(ctx =>
        {
            var stateName = state.ToString();
            var atMicros = UnixMicros.From(at);
            ctx.Add(InsertClusterEventSql, accountId, clusterId, stateName, reason?.Code, reason?.Message, atMicros);
            ctx.Add(UpdateClusterStateSql, accountId, clusterId, stateName, reason?.Code, reason?.Message, atMicros,
                state is ClusterState.Running or ClusterState.Waiting, state is ClusterState.Terminated or ClusterState.TerminatedWithErrors);
        }, cancellationToken);

    /// <inheritdoc />
    public Task UpdateClusterAttributesAsync(string accountId, string clusterId, bool? terminationProtected, bool? keepAlive,
        IReadOnlyDictionary<string, string>? tags, bool? hasRunWork, CancellationToken cancellationToken) =>
        PgWriteAsync(ctx => ctx.Add("""
            UPDATE clusters SET
                termination_protected = COALESCE($3::boolean, termination_protected),
                keep_alive = COALESCE($4::boolean, keep_alive),
                tags_json = CASE WHEN $5 THEN $6::text ELSE tags_json END,
                has_run_work = COALESCE($7::boolean, has_run_work)
            WHERE account_id = $1 AND cluster_id = $2
            """, accountId, clusterId, terminationProtected, keepAlive, tags is not null, JsonColumns.FromMap(tags), hasRunWork), cancellationToken);

    /// <inheritdoc />
    public Task UpdateInstanceGroupCountsAsync(string accountId, string clusterId, string groupId, int requestedCount, int runningCount, CancellationToken cancellationToken) =>
        PgWriteAsync(ctx => ctx.Add("""
            UPDATE instance_groups SET requested_count = $4, running_count = $5
            WHERE account_id = $1 AND cluster_id = $2 AND group_id = $3
            """, accountId, clusterId, groupId, (long)requestedCount, (long)runningCount), cancellationToken);

    // The event reads the previous row before the upsert replaces it. A new node's event is at its
    // creation; a change of an existing one at $8 (its end, or the clock). Another account's row is never touched.
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
        PgWriteAsync(ctx =>
        {
            var state = node.State.ToString();
            var changedAt = node.State is NodeState.Terminated or NodeState.Preempted && node.EndedAt is { } ended ? ended : Now;
            ctx.Add(InsertNodeEventSql, node.Id, node.AccountId, state, UnixMicros.From(node.CreatedAt), UnixMicros.From(changedAt));
            ctx.Add(UpsertNodeSql, node.Id, node.AccountId, node.ClusterId, node.GroupId, node.Role.ToString(), state, (long)node.Vcpus,
                node.MemoryMiB, node.Host, node.WorkDirectory, UnixMicros.From(node.CreatedAt), UnixMicros.From(node.EndedAt));
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Node>> ListNodesAsync(string accountId, string clusterId, CancellationToken cancellationToken) =>
        [.. (await QueryAsync<NodeRow>($"SELECT {SqlColumns.Node} FROM nodes WHERE account_id = @accountId AND cluster_id = @clusterId ORDER BY node_id",
            new { accountId, clusterId }, cancellationToken).ConfigureAwait(false)).Select(r => r.ToModel())];

    /// <summary>Loads the groups of the given clusters (of their own accounts) in one query.</summary>
    private async Task<List<Cluster>> WithGroupsAsync(List<ClusterRow> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        var groups = await QueryAsync<GroupRow>($"""
            SELECT {SqlColumns.Group} FROM instance_groups
            WHERE (account_id, cluster_id) IN (SELECT a, c FROM unnest(@accounts::text[], @ids::text[]) AS k(a, c))
            ORDER BY cluster_id, ordinal
            """, new { accounts = rows.Select(r => r.AccountId).ToArray(), ids = rows.Select(r => r.Id).ToArray() }, cancellationToken).ConfigureAwait(false);
        var byCluster = groups.GroupBy(g => g.ClusterId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(r => r.ToModel()).ToList(), StringComparer.Ordinal);
        return [.. rows.Select(r => r.ToModel(byCluster.TryGetValue(r.Id, out var list) ? list : []))];
    }
}
