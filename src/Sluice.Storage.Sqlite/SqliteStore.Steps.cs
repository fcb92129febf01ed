using Dapper;
using Sluice.Core.Model;
using Sluice.Core.Ports;
using Sluice.Storage.Relational;

namespace Sluice.Storage.Sqlite;

public sealed partial class SqliteStore
{
    private static readonly string[] ActiveStepStates = SqlColumns.ActiveStepStates;

    /// <inheritdoc />
    public Task InsertStepsAsync(IReadOnlyList<Step> steps, int maxActiveSteps, CancellationToken cancellationToken) =>
        SqliteWriteAsync(ctx =>
        {
            if (steps.Count == 0)
            {
                return;
            }
            var first = steps[0];
            // The count and the insert share the writer's transaction, so concurrent adds cannot both pass the limit.
            var active = ctx.QuerySingleOrDefault<long>(
                "SELECT COUNT(*) FROM steps WHERE account_id = @AccountId AND cluster_id = @ClusterId AND state IN @ActiveStepStates",
                new { first.AccountId, first.ClusterId, ActiveStepStates });
            if (active + steps.Count > maxActiveSteps)
            {
                throw new StepLimitExceededException(first.ClusterId, (int)active, steps.Count, maxActiveSteps);
            }
            if (first.ClientToken is not null && ctx.Exists(
                    "SELECT 1 FROM steps WHERE account_id = @AccountId AND cluster_id = @ClusterId AND client_token = @ClientToken",
                    new { first.AccountId, first.ClusterId, first.ClientToken }))
            {
                throw new DuplicateClientTokenException(first.ClientToken);
            }
            foreach (var step in steps)
            {
                ctx.Execute("""
                    INSERT INTO steps (step_id, account_id, cluster_id, name, type, action_on_failure, properties_json,
                        additional_files_json, state, reason_code, reason_message, failure_reason, failure_message, failure_log_file,
                        client_token, request_hash, created_at, started_at, ended_at)
                    VALUES (@Id, @AccountId, @ClusterId, @Name, @Type, @ActionOnFailure, @PropertiesJson,
                        @AdditionalFilesJson, @State, @ReasonCode, @ReasonMessage, @FailureReason, @FailureMessage, @FailureLogFile,
                        @ClientToken, @RequestHash, @CreatedAt, @StartedAt, @EndedAt)
                    """, StepParameters(step));
            }
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<Step?> GetStepAsync(string accountId, string clusterId, string stepId, CancellationToken cancellationToken)
    {
        var rows = await QueryStepsAsync(
            $"SELECT {SqlColumns.Step} FROM steps WHERE account_id = @accountId AND cluster_id = @clusterId AND step_id = @stepId",
            new { accountId, clusterId, stepId }, cancellationToken).ConfigureAwait(false);
        return rows.SingleOrDefault();
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Step>> FindStepsByClientTokenAsync(string accountId, string clusterId, string clientToken, CancellationToken cancellationToken) =>
        QueryStepsAsync(
            $"SELECT {SqlColumns.Step} FROM steps WHERE account_id = @accountId AND cluster_id = @clusterId AND client_token = @clientToken ORDER BY step_id",
            new { accountId, clusterId, clientToken }, cancellationToken);

    /// <inheritdoc />
    public async Task<Page<Step>> ListStepsAsync(string accountId, string clusterId, IReadOnlyCollection<StepState>? states, string? before, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var stateNames = Paging.StateNames(states);
        var sql = $"SELECT {SqlColumns.Step} FROM steps WHERE account_id = @accountId AND cluster_id = @clusterId"
            + (before is null ? "" : " AND step_id < @before")
            + (stateNames is null ? "" : " AND state IN @stateNames")
            + " ORDER BY step_id DESC LIMIT @fetch";
        var steps = await QueryStepsAsync(sql, new { accountId, clusterId, before, stateNames, fetch = limit + 1 }, cancellationToken).ConfigureAwait(false);
        return Paging.ToPage([.. steps], limit, s => s.Id);
    }

    /// <inheritdoc />
    public Task UpdateStepAsync(Step step, CancellationToken cancellationToken) =>
        SqliteWriteAsync(ctx =>
        {
            var previous = ctx.QuerySingleOrDefault<string>(
                "SELECT state FROM steps WHERE account_id = @AccountId AND cluster_id = @ClusterId AND step_id = @Id",
                new { step.AccountId, step.ClusterId, step.Id });
            if (previous is null)
            {
                return;
            }
            ctx.Execute("""
                UPDATE steps SET state = @State, reason_code = @ReasonCode, reason_message = @ReasonMessage,
                    failure_reason = @FailureReason, failure_message = @FailureMessage, failure_log_file = @FailureLogFile,
                    started_at = @StartedAt, ended_at = @EndedAt
                WHERE account_id = @AccountId AND cluster_id = @ClusterId AND step_id = @Id
                """, StepParameters(step));
            var state = step.State.ToString();
            if (previous != state)
            {
                var at = step.State switch
                {
                    StepState.Running when step.StartedAt is { } started => started,
                    _ when step.EndedAt is { } ended => ended,
                    _ => Now,
                };
                ctx.AppendEvent(step.AccountId, ResourceKind.Step, step.Id, previous, state, step.Reason, at);
            }
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Step>> ListActiveStepsAsync(CancellationToken cancellationToken) =>
        QueryStepsAsync($"SELECT {SqlColumns.Step} FROM steps WHERE state IN @ActiveStepStates ORDER BY step_id", new { ActiveStepStates }, cancellationToken);

    private async Task<IReadOnlyList<Step>> QueryStepsAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var lease = connection.ConfigureAwait(false);
        var rows = await connection.QueryAsync<StepRow>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToModel())];
    }

    private static object StepParameters(Step step) => new
    {
        step.Id,
        step.AccountId,
        step.ClusterId,
        step.Name,
        Type = step.Type.ToString(),
        ActionOnFailure = step.ActionOnFailure.ToString(),
        PropertiesJson = JsonColumns.ToProperties(step.Properties),
        AdditionalFilesJson = JsonColumns.FromStepFiles(step.AdditionalFiles),
        State = step.State.ToString(),
        ReasonCode = step.Reason?.Code,
        ReasonMessage = step.Reason?.Message,
        FailureReason = step.Failure?.Reason,
        FailureMessage = step.Failure?.Message,
        FailureLogFile = step.Failure?.LogFile,
        step.ClientToken,
        step.RequestHash,
        CreatedAt = UnixMicros.From(step.CreatedAt),
        StartedAt = UnixMicros.From(step.StartedAt),
        EndedAt = UnixMicros.From(step.EndedAt),
    };
}
