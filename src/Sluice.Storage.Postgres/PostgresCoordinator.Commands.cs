using Dapper;
using Sluice.Core.Model;
using Sluice.Core.Ports;

namespace Sluice.Storage.Postgres;

// The command side of the coordinator: delivering the commands of owned clusters in write order, and the LISTEN
// connection that wakes the loop when one is sent.
public sealed partial class PostgresCoordinator
{
    private async Task DeliverCommandsAsync(CancellationToken cancellationToken)
    {
        while (!_owned.IsEmpty)
        {
            var taken = 0;
            if (_taken.Count == 0)
            {
                var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    // Taken, not deleted: the row goes once the command's effect is committed (AfterApplied), so a command
                    // this server took and did not carry out before dying is taken again by the cluster's next owner
                    // (any other incarnation), and one it took is never taken twice by it.
                    _taken.AddRange((await connection.QueryAsync<CommandRow>(new CommandDefinition("""
                        UPDATE commands SET taken_by = @incarnation WHERE command_id IN (
                            SELECT c.command_id FROM commands AS c JOIN clusters AS k ON k.cluster_id = c.cluster_id
                            WHERE k.owner_server_id = @me AND c.cluster_id = ANY(@owned) AND c.taken_by IS DISTINCT FROM @incarnation
                            ORDER BY c.command_id LIMIT 500
                            FOR UPDATE OF c SKIP LOCKED)
                        RETURNING command_id AS CommandId, cluster_id AS ClusterId, account_id AS AccountId, kind AS Kind, job_id AS JobId,
                            group_id AS GroupId, count AS Count, keep_alive AS KeepAlive, termination_protected AS TerminationProtected,
                            reason_code AS ReasonCode, reason_message AS ReasonMessage, step_ids AS StepIds, node_id AS NodeId,
                            notice_seconds AS NoticeSeconds, idle_timeout_seconds AS IdleTimeoutSeconds
                        """, new { me = ServerId, owned = _owned.Keys.ToArray(), incarnation = _incarnation }, cancellationToken: cancellationToken)).ConfigureAwait(false))
                        .OrderBy(c => c.CommandId));
                    taken = _taken.Count;
                }
            }
            var applied = new List<long>(_taken.Count);
            try
            {
                // What an apply that failed (a store read) left is applied first the next time round, in order.
                while (_taken.Count > 0)
                {
                    var row = _taken[0];
                    // A cluster given up meanwhile: its next owner takes the command again (this server left it in place).
                    if (_owned.ContainsKey(row.ClusterId))
                    {
                        await _owner!.ApplyAsync(row.ToModel(), cancellationToken).ConfigureAwait(false);
                        if (!CompletedByOutcome(row.Kind))
                        {
                            applied.Add(row.CommandId);
                        }
                    }
                    _taken.RemoveAt(0);
                }
            }
            finally
            {
                if (applied.Count > 0)
                {
                    // Not awaited: a writer waiting for the database must not hold up heartbeats and lease renewal.
                    var done = applied.ToArray();
                    _owner!.AfterApplied(() => _completeCommands(done));
                }
            }
            if (taken < 500)
            {
                return;
            }
        }
    }

    /// <summary>
    /// A stop or a step cancel is carried out over time (processes are killed, then the job or step ends): its row goes
    /// once the heartbeat finds the job or step ended, not when the scheduler starts on it. Every other command's effect
    /// is written when it is applied.
    /// </summary>
    private static bool CompletedByOutcome(string kind) => kind is nameof(ClusterCommandKind.StopJob) or nameof(ClusterCommandKind.CancelStep);

    private async Task ListenAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var connection = _openListener();
                await using (connection.ConfigureAwait(false))
                {
                    await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                    connection.Notification += (_, e) =>
                    {
                        if (e.Payload == ServerId)
                        {
                            Wake();
                        }
                    };
                    await connection.ExecuteAsync($"LISTEN {PostgresMigrator.Quote(_channel)}").ConfigureAwait(false);
                    // Whatever was sent while this connection was down is picked up now.
                    Wake();
                    while (true)
                    {
                        await connection.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogListenFailed(_logger, ex);
                try
                {
                    await Task.Delay(_options.HeartbeatInterval, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private sealed class CommandRow
    {
        public long CommandId { get; set; }
        public string ClusterId { get; set; } = "";
        public string AccountId { get; set; } = "";
        public string Kind { get; set; } = "";
        public string? JobId { get; set; }
        public string? GroupId { get; set; }
        public int? Count { get; set; }
        public bool? KeepAlive { get; set; }
        public bool? TerminationProtected { get; set; }
        public string? ReasonCode { get; set; }
        public string? ReasonMessage { get; set; }
        public string[]? StepIds { get; set; }
        public string? NodeId { get; set; }
        public int? NoticeSeconds { get; set; }
        public int? IdleTimeoutSeconds { get; set; }

        public ClusterCommand ToModel() => new(Enum.Parse<ClusterCommandKind>(Kind), AccountId, ClusterId)
        {
            JobId = JobId,
            GroupId = GroupId,
            Count = Count,
            KeepAlive = KeepAlive,
            TerminationProtected = TerminationProtected,
            Reason = ReasonCode is null ? null : new StateReason(ReasonCode, ReasonMessage ?? ""),
            StepIds = StepIds,
            NodeId = NodeId,
            NoticeSeconds = NoticeSeconds,
            IdleTimeoutSeconds = IdleTimeoutSeconds,
        };
    }
}
