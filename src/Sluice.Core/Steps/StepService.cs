using Sluice.Contracts;
using Sluice.Core.Jobs;
using Sluice.Core.Logs;
using Sluice.Core.Model;
using Sluice.Core.ObjectStorage;
using Sluice.Core.Ports;
using Sluice.Core.Scheduling;

namespace Sluice.Core.Steps;

/// <summary>The step operations of the API: validate, authorize by account, persist, hand to the scheduler.</summary>
public sealed class StepService(IStore store, ICommandBus commands, StepRequestValidator validator, LogPaths logs, BucketOwnership buckets)
{
    private const int ActiveStatesLimit = StepRequestValidator.MaxActiveSteps;

    /// <summary>Adds steps to a Starting, Bootstrapping, Running or Waiting cluster; a replay of the same client token returns the first steps with <c>Created</c> false.</summary>
    public async Task<(IReadOnlyList<Step> Steps, bool Created)> AddAsync(string accountId, string clusterId, AddStepsRequest request, string? requestHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var cluster = await ClusterAsync(accountId, clusterId, cancellationToken).ConfigureAwait(false);
        var token = Validation.OptionalName(request.ClientToken, "clientToken", 64);
        if (token is not null && await ReplayAsync(accountId, clusterId, token, requestHash, cancellationToken).ConfigureAwait(false) is { Count: > 0 } existing)
        {
            return (existing, false);
        }
        if (cluster.State is not (ClusterState.Starting or ClusterState.Bootstrapping or ClusterState.Running or ClusterState.Waiting))
        {
            throw new ServiceException(ErrorCodes.InvalidState,
                $"cluster {clusterId} is {cluster.State}; steps can be added only while it is Starting, Bootstrapping, Running or Waiting");
        }
        var active = await ActiveStepsAsync(accountId, clusterId, cancellationToken).ConfigureAwait(false);
        var steps = await validator.ValidateAsync(accountId, cluster, request.Steps, "steps", active, token, requestHash, cancellationToken).ConfigureAwait(false);
        try
        {
            await store.InsertStepsAsync(steps, StepRequestValidator.MaxActiveSteps, cancellationToken).ConfigureAwait(false);
        }
        catch (DuplicateClientTokenException)
        {
            return (await ReplayAsync(accountId, clusterId, token!, requestHash, cancellationToken).ConfigureAwait(false), false);
        }
        catch (StepLimitExceededException e)
        {
            throw new ServiceException(ErrorCodes.StepLimitExceeded, $"{e.Message} active steps per cluster; wait for steps to end or cancel some");
        }
        await commands.SendAsync(StepsAdded(cluster, steps), cancellationToken).ConfigureAwait(false);
        return (steps, true);
    }

    /// <summary>The Pending and Running steps of a cluster, oldest first.</summary>
    public async Task<IReadOnlyList<Step>> ActiveStepsAsync(string accountId, string clusterId, CancellationToken cancellationToken)
    {
        var page = await store.ListStepsAsync(accountId, clusterId, [StepState.Pending, StepState.Running, StepState.CancelPending], null, ActiveStatesLimit + 1, cancellationToken).ConfigureAwait(false);
        return [.. page.Items.Reverse()];
    }

    private async Task<IReadOnlyList<Step>> ReplayAsync(string accountId, string clusterId, string token, string? requestHash, CancellationToken cancellationToken)
    {
        var existing = await store.FindStepsByClientTokenAsync(accountId, clusterId, token, cancellationToken).ConfigureAwait(false);
        if (existing.Count > 0 && existing[0].RequestHash != requestHash)
        {
            throw new ServiceException(ErrorCodes.IdempotentParameterMismatch,
                $"clientToken '{token}' was already used for steps {string.Join(", ", existing.Select(s => s.Id))} of cluster {clusterId} with other parameters; use a new token for new steps");
        }
        return existing;
    }

    public async Task<Step> GetAsync(string accountId, string clusterId, string stepId, CancellationToken cancellationToken)
    {
        await ClusterAsync(accountId, clusterId, cancellationToken).ConfigureAwait(false);
        return await store.GetStepAsync(accountId, clusterId, stepId, cancellationToken).ConfigureAwait(false)
            ?? throw new ServiceException(ErrorCodes.StepNotFound, $"step '{stepId}' does not exist on cluster {clusterId}");
    }

    /// <summary>Steps newest first; <paramref name="before"/> is the last id of the previous page.</summary>
    public async Task<Page<Step>> ListAsync(string accountId, string clusterId, IReadOnlyCollection<StepState>? states, string? before, int limit, CancellationToken cancellationToken)
    {
        await ClusterAsync(accountId, clusterId, cancellationToken).ConfigureAwait(false);
        return await store.ListStepsAsync(accountId, clusterId, states, before, limit, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Cancels a Pending step, or interrupts a Running one (killed after the grace period). Refused once the step has ended.</summary>
    public async Task<Step> CancelAsync(string accountId, string clusterId, string stepId, CancellationToken cancellationToken)
    {
        var cluster = await ClusterAsync(accountId, clusterId, cancellationToken).ConfigureAwait(false);
        var step = await GetAsync(accountId, clusterId, stepId, cancellationToken).ConfigureAwait(false);
        if (!step.IsActive)
        {
            throw new ServiceException(ErrorCodes.InvalidState, $"step {stepId} is {step.State}; only Pending or Running steps can be cancelled");
        }
        await commands.SendAsync(new ClusterCommand(ClusterCommandKind.CancelStep, accountId, cluster.Id) { StepIds = [stepId] }, cancellationToken).ConfigureAwait(false);
        // Stored before this returns and applied on the scheduler's loop: show the state the accepted cancel leads to
        // (the scheduler's StepQueue.Cancel: a pending step ends Cancelled, a running one is interrupted).
        return step.State switch
        {
            StepState.Pending => step with { State = StepState.Cancelled, Reason = StateReason.CancelledBeforeStart },
            StepState.Running => step with { State = StepState.CancelPending, Reason = StateReason.CancelRequested },
            _ => step,
        };
    }

    /// <summary>The command that queues steps just inserted (Pending) behind the cluster's earlier steps.</summary>
    internal static ClusterCommand StepsAdded(Cluster cluster, IReadOnlyList<Step> steps) =>
        new(ClusterCommandKind.StepsAdded, cluster.AccountId, cluster.Id) { StepIds = [.. steps.Select(s => s.Id)], Steps = steps };

    /// <summary>The step's controller, stdout or stderr log; complete once the step has ended.</summary>
    public async Task<LogFile> GetLogAsync(string accountId, string clusterId, string stepId, StepLog log, CancellationToken cancellationToken)
    {
        var step = await GetAsync(accountId, clusterId, stepId, cancellationToken).ConfigureAwait(false);
        return new LogFile(logs.Step(accountId, clusterId, stepId, log), !step.IsActive, clusterId)
        {
            FindCopyAsync = async ct =>
            {
                if ((await ClusterAsync(accountId, clusterId, ct).ConfigureAwait(false)).LogUri is not { } logUri)
                {
                    return null;
                }
                var copy = LogUriLayout.Step(ObjectUri.Parse(logUri), clusterId, stepId).Append(log.ToString().ToLowerInvariant());
                // The log URI's bucket may have changed hands since the cluster was created.
                await buckets.AuthorizeAsync(accountId, copy.ToString(), "logUri", ct).ConfigureAwait(false);
                return copy;
            },
        };
    }

    private async Task<Cluster> ClusterAsync(string accountId, string clusterId, CancellationToken cancellationToken) =>
        await store.GetClusterAsync(accountId, clusterId, cancellationToken).ConfigureAwait(false)
        ?? throw new ServiceException(ErrorCodes.ClusterNotFound, $"cluster '{clusterId}' does not exist in your account");
}
