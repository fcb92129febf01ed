using System.Collections.Concurrent;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Sluice.Core.Model;
using Sluice.Core.Ports;
using Sluice.Storage.Relational;

namespace Sluice.Storage.Postgres;

/// <summary>
/// Divides the clusters of one PostgreSQL database among the Sluice servers that share it (see
/// docs/postgres.md). One loop per server heartbeats, renews this server's cluster leases, takes over
/// clusters whose lease ran out (<c>FOR UPDATE SKIP LOCKED</c>, so two servers never claim the same
/// one) and delivers the commands for the clusters it owns in the order they were written. A
/// <c>LISTEN</c> connection wakes the loop when a command is sent; polling every heartbeat covers a
/// lost notification.
/// </summary>
public sealed partial class PostgresCoordinator : IClusterCoordinator, IAsyncDisposable
{
    private const string ActiveState = "state NOT IN ('Terminated', 'TerminatedWithErrors')";

    private readonly NpgsqlDataSource _dataSource;
    private readonly Func<long[], Task> _completeCommands;
    // This process: commands it took carry it, and a later process under the same server id takes them again.
    private readonly string _incarnation = Guid.NewGuid().ToString("N");
    // Commands taken and not applied yet, in command order; only the coordinator loop touches it.
    private readonly List<CommandRow> _taken = [];
    private readonly Func<NpgsqlConnection> _openListener;
    private readonly CoordinatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _channel;
    // Clusters this server runs (adopted or created here); only these are renewed and get commands.
    private readonly ConcurrentDictionary<string, bool> _owned = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private int _disposed;
    private IClusterOwner? _owner;
    private Task _loop = Task.CompletedTask;
    private Task _listener = Task.CompletedTask;
    private DateTimeOffset _lastRenewed;
    private string? _baseAddress;
    private volatile bool _heartbeatNow;

    /// <summary>Creates the coordinator on the store's database; <see cref="StartAsync"/> runs it.</summary>
    public PostgresCoordinator(PostgresStore store, CoordinatorOptions options, TimeProvider? timeProvider = null, ILogger<PostgresCoordinator>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        _dataSource = store.DataSource;
        _completeCommands = store.CompleteCommandsAsync;
        _openListener = store.CreateUnpooledConnection;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        // One channel per schema: several installations (or tests) may share a database.
        _channel = "sluice_commands_" + store.Schema;
    }

    /// <inheritdoc />
    public string ServerId => _options.ServerId;

    /// <inheritdoc />
    public async Task StartAsync(IClusterOwner owner, CancellationToken cancellationToken)
    {
        _owner = owner;
        await HeartbeatAsync(cancellationToken).ConfigureAwait(false);
        await ReclaimOwnAsync(cancellationToken).ConfigureAwait(false);
        _listener = Task.Run(() => ListenAsync(_stop.Token), CancellationToken.None);
        _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loop, _listener).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // A query of the loop that the stop cut short: that is how the loop ends.
        }
    }

    /// <inheritdoc />
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        try
        {
            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                await connection.ExecuteAsync(new CommandDefinition("""
                    UPDATE clusters SET owner_server_id = NULL, lease_expires_at = NULL WHERE owner_server_id = @me;
                    DELETE FROM servers WHERE server_id = @me;
                    """, new { me = ServerId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            }
        }
        catch (NpgsqlException ex)
        {
            // The leases then run out by themselves.
            LogLoopFailed(_logger, ex);
        }
        _owned.Clear();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // The container disposes it twice: it is registered both as the coordinator and as the command bus.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stop.Dispose();
        _wake.Dispose();
    }

    /// <summary>Takes the lease on a cluster this server has just created.</summary>
    public async Task ClaimAsync(string clusterId, CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE clusters SET owner_server_id = @me, lease_expires_at = now() + @lease WHERE cluster_id = @clusterId AND owner_server_id IS NULL",
                new { me = ServerId, lease = _options.LeaseTime, clusterId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        // Held only once the lease is taken: a heartbeat that held it sooner would not renew it, take the cluster for another
        // server's (its owner still empty) and abandon it here.
        _owned[clusterId] = true;
    }

    /// <inheritdoc />
    public async Task SendAsync(ClusterCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Kind == ClusterCommandKind.Start)
        {
            // The server that creates a cluster runs it. Applied before the claim, so a command for it that arrives once it
            // is claimed finds it running.
            await _owner!.ApplyAsync(command, cancellationToken).ConfigureAwait(false);
            await ClaimAsync(command.ClusterId, cancellationToken).ConfigureAwait(false);
            return;
        }
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        string? owner;
        await using (connection.ConfigureAwait(false))
        {
            owner = await connection.ExecuteScalarAsync<string?>(new CommandDefinition("""
                WITH queued AS (
                    INSERT INTO commands (cluster_id, account_id, kind, job_id, group_id, count, keep_alive, termination_protected, reason_code, reason_message, step_ids,
                        node_id, notice_seconds, idle_timeout_seconds)
                    VALUES (@ClusterId, @AccountId, @Kind, @JobId, @GroupId, @Count, @KeepAlive, @TerminationProtected, @ReasonCode, @ReasonMessage, @StepIds,
                        @NodeId, @NoticeSeconds, @IdleTimeoutSeconds)
                    RETURNING cluster_id)
                SELECT owner_server_id, pg_notify(@channel, owner_server_id)
                FROM queued LEFT JOIN clusters USING (cluster_id)
                """, new
            {
                command.ClusterId,
                command.AccountId,
                Kind = command.Kind.ToString(),
                command.JobId,
                command.GroupId,
                command.Count,
                command.KeepAlive,
                command.TerminationProtected,
                ReasonCode = command.Reason?.Code,
                ReasonMessage = command.Reason?.Message,
                StepIds = command.StepIds?.ToArray(),
                command.NodeId,
                command.NoticeSeconds,
                command.IdleTimeoutSeconds,
                channel = _channel,
            }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        if (owner == ServerId)
        {
            Wake();
        }
    }

    /// <inheritdoc />
    public void Advertise(Uri baseAddress)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        _baseAddress = baseAddress.ToString();
        // Published by the next heartbeat, brought forward so other servers can forward log reads at once.
        _heartbeatNow = true;
        Wake();
    }

    /// <inheritdoc />
    public async Task<Uri?> FindOwnerAddressAsync(string clusterId, CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // A server that missed a whole lease time of heartbeats is taken for dead: its clusters are about to move.
            var address = await connection.ExecuteScalarAsync<string?>(new CommandDefinition("""
                SELECT s.base_url FROM clusters AS k JOIN servers AS s ON s.server_id = k.owner_server_id
                WHERE k.cluster_id = @clusterId AND s.server_id <> @me AND s.heartbeat_at > now() - @lease
                """, new { clusterId, me = ServerId, lease = _options.LeaseTime }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return address is null ? null : new Uri(address);
        }
    }

    private void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var nextHeartbeat = _time.GetUtcNow();
        _lastRenewed = _time.GetUtcNow();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (_time.GetUtcNow() >= nextHeartbeat || _heartbeatNow)
                {
                    _heartbeatNow = false;
                    nextHeartbeat = _time.GetUtcNow() + _options.HeartbeatInterval;
                    await HeartbeatAsync(cancellationToken).ConfigureAwait(false);
                    await ClaimOrphansAsync(cancellationToken).ConfigureAwait(false);
                }
                await DeliverCommandsAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogLoopFailed(_logger, ex);
                FenceIfLeasesLapsed();
            }
            try
            {
                var wait = nextHeartbeat - _time.GetUtcNow();
                await _wake.WaitAsync(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Could not renew for so long that another server may take the clusters over any moment: stop
    /// running them here first, so no instance runs on two servers. They are claimed again (by any server) once the database answers.
    /// </summary>
    private void FenceIfLeasesLapsed()
    {
        if (_owned.IsEmpty || _time.GetUtcNow() - _lastRenewed < _options.LeaseTime * 2 - _options.HeartbeatInterval)
        {
            return;
        }
        foreach (var clusterId in _owned.Keys)
        {
            _owned.TryRemove(clusterId, out _);
            _ = _owner?.ApplyAsync(new ClusterCommand(ClusterCommandKind.Abandon, "", clusterId), CancellationToken.None);
        }
    }

    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var held = _owned.Keys.ToArray();
            var renewed = (await connection.QueryAsync<string>(new CommandDefinition($"""
                INSERT INTO servers (server_id, base_url, incarnation) VALUES (@me, @url, @incarnation)
                ON CONFLICT (server_id) DO UPDATE SET heartbeat_at = now(), base_url = COALESCE(EXCLUDED.base_url, servers.base_url),
                    incarnation = EXCLUDED.incarnation;
                DELETE FROM commands AS c USING clusters AS k WHERE k.cluster_id = c.cluster_id AND NOT (k.{ActiveState});
                DELETE FROM commands AS c USING jobs AS j
                WHERE c.kind = 'StopJob' AND c.taken_by = @incarnation AND j.job_id = c.job_id AND j.state IN ('Finished', 'Failed', 'Stopped');
                DELETE FROM commands AS c USING steps AS s
                WHERE c.kind = 'CancelStep' AND c.taken_by = @incarnation AND s.step_id = ANY(c.step_ids) AND s.state NOT IN ('Pending', 'Running', 'CancelPending');
                UPDATE clusters SET lease_expires_at = now() + @lease
                WHERE owner_server_id = @me AND cluster_id = ANY(@held) AND {ActiveState}
                RETURNING cluster_id;
                """, new { me = ServerId, lease = _options.LeaseTime, held, url = _baseAddress, incarnation = _incarnation }, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
            _lastRenewed = _time.GetUtcNow();
            var missing = held.Where(id => !renewed.Contains(id)).ToArray();
            if (missing.Length == 0)
            {
                return;
            }
            // Ended clusters just leave the set; active ones another server holds now are abandoned here.
            var taken = await connection.QueryAsync<string>(new CommandDefinition(
                $"SELECT cluster_id FROM clusters WHERE cluster_id = ANY(@missing) AND {ActiveState} AND owner_server_id IS DISTINCT FROM @me",
                new { missing, me = ServerId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            foreach (var clusterId in missing)
            {
                _owned.TryRemove(clusterId, out _);
            }
            foreach (var clusterId in taken)
            {
                _ = _owner?.ApplyAsync(new ClusterCommand(ClusterCommandKind.Abandon, "", clusterId), CancellationToken.None);
            }
        }
    }

    private Task ClaimOrphansAsync(CancellationToken cancellationToken) =>
        // A lease must have been expired for a whole lease time again: an owner that was only cut
        // off from the database renews first once it is back. A cluster nobody claimed (its creator
        // died between insert and claim, or it predates sharing) is taken once it is that old.
        ClaimAndAdoptAsync($"""
            UPDATE clusters SET owner_server_id = @me, lease_expires_at = now() + @lease
            WHERE cluster_id IN (
                SELECT cluster_id FROM clusters
                WHERE {ActiveState}
                  AND ((owner_server_id IS NULL AND created_at < @unownedBefore) OR lease_expires_at < now() - @lease)
                ORDER BY cluster_id LIMIT 50
                FOR UPDATE SKIP LOCKED)
            RETURNING cluster_id, account_id
            """, cancellationToken);

    /// <summary>
    /// At start: the clusters the database says this server id runs were run by an earlier process under this id (it
    /// died or was stopped without handing them back). No other server may claim them before their lease has been
    /// expired for another lease time, so this process resumes them at once instead of waiting for that.
    /// </summary>
    private Task ReclaimOwnAsync(CancellationToken cancellationToken) => ClaimAndAdoptAsync($"""
        UPDATE clusters SET lease_expires_at = now() + @lease
        WHERE owner_server_id = @me AND {ActiveState}
        RETURNING cluster_id, account_id
        """, cancellationToken);

    /// <summary>Runs a claiming UPDATE … RETURNING cluster_id, account_id and adopts what it returns.</summary>
    private async Task ClaimAndAdoptAsync(string claimSql, CancellationToken cancellationToken)
    {
        List<(string ClusterId, string AccountId)> claimed;
        var stopping = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var terminating = new Dictionary<string, StateReason?>(StringComparer.Ordinal);
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // A cluster this server created and is claiming right now runs here already: its queued commands are not covered by
            // an adoption, so it is neither adopted nor are they dropped.
            claimed = [.. (await connection.QueryAsync<(string, string)>(new CommandDefinition(claimSql,
                new { me = ServerId, lease = _options.LeaseTime, unownedBefore = UnixMicros.From(_time.GetUtcNow() - _options.LeaseTime) },
                cancellationToken: cancellationToken)).ConfigureAwait(false)).Where(c => !_owned.ContainsKey(c.Item1))];
            foreach (var (clusterId, _) in claimed)
            {
                // Recovery reads every active job and step of the cluster from the store, so those commands are already covered.
                await connection.ExecuteAsync(new CommandDefinition("DELETE FROM commands WHERE cluster_id = @clusterId AND kind IN ('JobQueued', 'StepsAdded')",
                    new { clusterId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
                // A stop the previous owner may have begun (its processes killed) must shape the recovery itself: adopted
                // first and stopped after, those killed attempts would count as failures and could fail the job.
                stopping[clusterId] = [.. await connection.QueryAsync<string>(new CommandDefinition(
                    "SELECT job_id FROM commands WHERE cluster_id = @clusterId AND kind = 'StopJob'",
                    new { clusterId }, cancellationToken: cancellationToken)).ConfigureAwait(false)];
                // So must a terminate: the jobs it was stopping end Stopped, not Failed by their lost attempts.
                var terminate = await connection.QueryFirstOrDefaultAsync<(string Code, string Message)?>(new CommandDefinition(
                    "SELECT reason_code, reason_message FROM commands WHERE cluster_id = @clusterId AND kind = 'Terminate' ORDER BY command_id LIMIT 1",
                    new { clusterId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
                terminating[clusterId] = terminate is { } t ? new StateReason(t.Code ?? StateReason.UserRequest, t.Message ?? "terminated by request") : null;
            }
        }
        foreach (var (clusterId, accountId) in claimed)
        {
            LogAdopting(_logger, clusterId);
            await _owner!.ApplyAsync(new ClusterCommand(ClusterCommandKind.Adopt, accountId, clusterId)
            {
                StoppingJobIds = stopping[clusterId],
                Reason = terminating[clusterId],
            }, cancellationToken).ConfigureAwait(false);
            _owned[clusterId] = true;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "cluster coordination failed; retrying at the next heartbeat")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the LISTEN connection for commands failed; reconnecting")]
    private static partial void LogListenFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "taking over cluster {ClusterId}")]
    private static partial void LogAdopting(ILogger logger, string clusterId);
}
