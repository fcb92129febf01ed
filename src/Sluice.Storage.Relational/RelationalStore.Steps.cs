using Sluice.Core.Model;
using Sluice.Core.Ports;

namespace Sluice.Storage.Relational;

public abstract partial class RelationalStore
{
    // The step states that count against a cluster's limit of active steps.
    private const string ActiveStepStatesSql = "('Pending', 'Running', 'CancelPending')";

    private const string InsertStepSql = """
        INSERT INTO steps (step_id, account_id, cluster_id, name, type, action_on_failure, properties_json,
            additional_files_json, state, reason_code, reason_message, failure_reason, failure_message, failure_log_file,
            client_token, request_hash, created_at, started_at, ended_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
        """;

    // The event reads the previous state from the row before the UPDATE replaces it; nothing happens for an
    // unknown step or another account's.
    private const string InsertStepEventSql = """
        INSERT INTO events (account_id, kind, resource_id, from_state, to_state, reason_code, reason_message, at)
        SELECT account_id, 'Step', step_id, state, $4, $5, $6, $7 FROM steps
        WHERE account_id = $1 AND cluster_id = $2 AND step_id = $3 AND state <> $4
        """;

    private const string UpdateStepSql = """
        UPDATE steps SET state = $4, reason_code = $5, reason_message = $6, failure_reason = $7, failure_message = $8,
            failure_log_file = $9, started_at = $10, ended_at = $11
        WHERE account_id = $1 AND cluster_id = $2 AND step_id = $3
        """;

    /// <inheritdoc />
    public Task InsertStepsAsync(IReadOnlyList<Step> steps, int maxActiveSteps, CancellationToken cancellationToken) =>
        WriteAsync(async ctx =>
        {
            if (steps.Count == 0)
            {
                return true;
            }
            var first = steps[0];
            // The count and the insert share the writer's transaction, and writers of other servers take turns on the
            // cluster, so concurrent adds cannot both pass the limit.
            await ctx.LockAsync($"steps:{first.AccountId}:{first.ClusterId}").ConfigureAwait(false);
            var active = Convert.ToInt64(await ctx.ScalarAsync(
                $"SELECT COUNT(*) FROM steps WHERE account_id = $1 AND cluster_id = $2 AND state IN {ActiveStepStatesSql}",
                first.AccountId, first.ClusterId).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            if (active + steps.Count > maxActiveSteps)
            {
                throw new StepLimitExceededException(first.ClusterId, (int)active, steps.Count, maxActiveSteps);
            }
            if (first.ClientToken is not null && await ctx.ScalarAsync(
                    "SELECT 1 FROM steps WHERE account_id = $1 AND cluster_id = $2 AND client_token = $3 LIMIT 1",
                    first.AccountId, first.ClusterId, first.ClientToken).ConfigureAwait(false) is not null)
            {
                throw new DuplicateClientTokenException(first.ClientToken);
            }
            foreach (var s in steps)
            {
                ctx.Execute(InsertStepSql, s.Id, s.AccountId, s.ClusterId, s.Name, s.Type.ToString(), s.ActionOnFailure.ToString(),
                    JsonColumns.ToProperties(s.Properties), JsonColumns.FromStepFiles(s.AdditionalFiles), s.State.ToString(),
                    s.Reason?.Code, s.Reason?.Message, s.Failure?.Reason, s.Failure?.Message, s.Failure?.LogFile, s.ClientToken, s.RequestHash,
                    UnixMicros.From(s.CreatedAt), UnixMicros.From(s.StartedAt), UnixMicros.From(s.EndedAt));
            }
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<Step?> GetStepAsync(string accountId, string clusterId, string stepId, CancellationToken cancellationToken) =>
        (await QueryStepsAsync($"SELECT {SqlColumns.Step} FROM steps WHERE account_id = @accountId AND cluster_id = @clusterId AND step_id = @stepId",
            new { accountId, clusterId, stepId }, cancellationToken).ConfigureAwait(false)).SingleOrDefault();

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
            + (stateNames is null ? "" : " AND " + Dialect.AnyOf("state", "@stateNames"))
            + " ORDER BY step_id DESC LIMIT @fetch";
        var steps = await QueryStepsAsync(sql, new { accountId, clusterId, before, stateNames, fetch = limit + 1 }, cancellationToken).ConfigureAwait(false);
        return Paging.ToPage([.. steps], limit, s => s.Id);
    }

    /// <inheritdoc />
    public Task UpdateStepAsync(Step step, CancellationToken cancellationToken) =>
        WriteAsync(ctx =>
        {
            var state = step.State.ToString();
            var at = step.State switch
            {
                StepState.Running when step.StartedAt is { } started => started,
                _ when step.EndedAt is { } ended => ended,
                _ => Now,
            };
            ctx.Execute(InsertStepEventSql, step.AccountId, step.ClusterId, step.Id, state, step.Reason?.Code, step.Reason?.Message, UnixMicros.From(at));
            ctx.Execute(UpdateStepSql, step.AccountId, step.ClusterId, step.Id, state, step.Reason?.Code, step.Reason?.Message,
                step.Failure?.Reason, step.Failure?.Message, step.Failure?.LogFile, UnixMicros.From(step.StartedAt), UnixMicros.From(step.EndedAt));
            if (step.State is StepState.Completed or StepState.Failed or StepState.Cancelled or StepState.Interrupted)
            {
                ctx.Execute(DeletePendingCommandsSql, step.AccountId, step.Id);
            }
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Step>> ListActiveStepsAsync(CancellationToken cancellationToken) =>
        QueryStepsAsync($"SELECT {SqlColumns.Step} FROM steps WHERE state IN {ActiveStepStatesSql} ORDER BY step_id", null, cancellationToken);

    private async Task<IReadOnlyList<Step>> QueryStepsAsync(string sql, object? parameters, CancellationToken cancellationToken) =>
        [.. (await Database.QueryAsync<StepRow>(sql, parameters, cancellationToken).ConfigureAwait(false)).Select(r => r.ToModel())];
}
