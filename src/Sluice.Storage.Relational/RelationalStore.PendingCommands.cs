using Sluice.Core.Model;

namespace Sluice.Storage.Relational;

public abstract partial class RelationalStore
{
    // Run in the same write as the move that ends the target, so a pending command never outlives its target's end.
    private const string DeletePendingCommandsSql = "DELETE FROM pending_commands WHERE target_id = $2 AND account_id = $1";

    /// <inheritdoc />
    public Task InsertPendingCommandAsync(ClusterCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        IReadOnlyList<string> targets = command.Kind switch
        {
            ClusterCommandKind.StopJob when command.JobId is { } job => [job],
            ClusterCommandKind.Terminate => [command.ClusterId],
            ClusterCommandKind.CancelStep when command.StepIds is { Count: > 0 } steps => steps,
            _ => throw new ArgumentException($"a {command.Kind} command is not kept pending (stops, terminates and step cancels are)", nameof(command)),
        };
        var at = UnixMicros.From(Now);
        return WriteAsync(ctx =>
        {
            foreach (var target in targets)
            {
                ctx.Execute("""
                    INSERT INTO pending_commands (account_id, cluster_id, kind, target_id, reason_code, reason_message, created_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7)
                    """, command.AccountId, command.ClusterId, command.Kind.ToString(), target, command.Reason?.Code, command.Reason?.Message, at);
            }
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ClusterCommand>> ListPendingCommandsAsync(CancellationToken cancellationToken)
    {
        var rows = await Database.QueryAsync<PendingCommandRow>("""
            SELECT account_id AS AccountId, cluster_id AS ClusterId, kind AS Kind, target_id AS TargetId,
                reason_code AS ReasonCode, reason_message AS ReasonMessage
            FROM pending_commands ORDER BY command_id
            """, null, cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToModel())];
    }
}
