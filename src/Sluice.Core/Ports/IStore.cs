using Sluice.Core.Model;

namespace Sluice.Core.Ports;

/// <summary>
/// The persistence port. Every method but recovery, the admin's account methods, the auth look-ups and the
/// start-up sealing of secrets is scoped by account: a row of one account is never returned to, or changed by, another.
/// </summary>
/// <remarks>
/// Mutations return once their change is durable (committed). Implementations are expected to
/// group-commit: concurrent mutations from many callers share one transaction, so the server is not
/// serialised behind one fsync per change. Each state change also appends a <see cref="StateEvent"/> in
/// the same transaction. Reads may run concurrently with writes and see only committed data; a read
/// started after a mutation returned sees that mutation.
/// Listing methods return up to <c>limit</c> items strictly after the sort key <c>after</c> (ids for
/// clusters and jobs, names for tasks, the decimal index for instances), in ascending order.
/// </remarks>
public interface IStore : IAsyncDisposable
{
    /// <summary>Creates or upgrades the schema. Idempotent; fails clearly on a schema newer than this build.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    // ---- accounts and keys (the store keeps a key's secret as it is given: the caller seals it)
    Task InsertAccountAsync(Account account, CancellationToken cancellationToken);
    Task<Account?> GetAccountAsync(string accountId, CancellationToken cancellationToken);
    /// <summary>Every account, by id.</summary>
    Task<IReadOnlyList<Account>> ListAccountsAsync(CancellationToken cancellationToken);
    /// <summary>Up to <paramref name="limit"/> accounts with ids after <paramref name="after"/>, by id (the admin's listing).</summary>
    Task<Page<Account>> ListAccountsAsync(string? after, int limit, CancellationToken cancellationToken);
    /// <summary>Enables or disables an account. False when there is no such account.</summary>
    Task<bool> SetAccountEnabledAsync(string accountId, bool enabled, CancellationToken cancellationToken);
    Task InsertAccessKeyAsync(AccessKey key, CancellationToken cancellationToken);
    /// <summary>Finds a key by id across all accounts (authentication needs this before the account is known).</summary>
    Task<AccessKey?> FindAccessKeyAsync(string keyId, CancellationToken cancellationToken);
    /// <summary>The keys of the account, by key id.</summary>
    Task<IReadOnlyList<AccessKey>> ListAccessKeysAsync(string accountId, CancellationToken cancellationToken);
    /// <summary>Every key of every account, by key id (for the start-up step that seals plain-text secrets).</summary>
    Task<IReadOnlyList<AccessKey>> ListAllAccessKeysAsync(CancellationToken cancellationToken);
    /// <summary>Enables or disables a key of the account. False when the account has no such key.</summary>
    Task<bool> SetAccessKeyEnabledAsync(string accountId, string keyId, bool enabled, CancellationToken cancellationToken);
    /// <summary>Deletes a key of the account. False when the account has no such key.</summary>
    Task<bool> DeleteAccessKeyAsync(string accountId, string keyId, CancellationToken cancellationToken);
    /// <summary>
    /// Replaces a key's stored secret if it is still <paramref name="expected"/> (compare-and-set, so servers that seal
    /// the same row at once do it once). False when the key is gone or its secret changed.
    /// </summary>
    Task<bool> ReplaceAccessKeySecretAsync(string keyId, string expected, string replacement, CancellationToken cancellationToken);

    // ---- settings the servers of one database share
    /// <summary>Stores <paramref name="value"/> under <paramref name="name"/> unless a value is there; returns the value stored now (the first writer's).</summary>
    Task<string> EnsureSettingAsync(string name, string value, CancellationToken cancellationToken);

    // ---- clusters, their groups and nodes
    /// <summary>Inserts the cluster with its groups, bootstrap actions and tags.</summary>
    /// <exception cref="DuplicateClientTokenException">Another cluster of the account has the same client token.</exception>
    Task InsertClusterAsync(Cluster cluster, CancellationToken cancellationToken);
    /// <summary>The cluster with its groups, or null.</summary>
    Task<Cluster?> GetClusterAsync(string accountId, string clusterId, CancellationToken cancellationToken);
    Task<Cluster?> FindClusterByClientTokenAsync(string accountId, string clientToken, CancellationToken cancellationToken);
    /// <summary>Clusters of the account; <c>states</c> null or empty means all states.</summary>
    Task<Page<Cluster>> ListClustersAsync(string accountId, IReadOnlyCollection<ClusterState>? states, string? after, int limit, CancellationToken cancellationToken) =>
        ListClustersAsync(accountId, new ListFilter<ClusterState>(states), after, limit, cancellationToken);
    /// <summary>Clusters of the account in the filter's states, created within its window, in id order.</summary>
    Task<Page<Cluster>> ListClustersAsync(string accountId, ListFilter<ClusterState> filter, string? after, int limit, CancellationToken cancellationToken);
    /// <summary>All clusters, of every account, not yet Terminated or TerminatedWithErrors (for recovery at start).</summary>
    Task<IReadOnlyList<Cluster>> ListActiveClustersAsync(CancellationToken cancellationToken);
    /// <summary>Sets the state and reason; sets ReadyAt the first time the state is Running or Waiting and EndedAt when it ends; logs the event.</summary>
    Task SetClusterStateAsync(string accountId, string clusterId, ClusterState state, StateReason? reason, DateTimeOffset at, CancellationToken cancellationToken);
    /// <summary>Changes the given attributes; null arguments leave theirs as they are. <paramref name="tags"/> replaces all tags.</summary>
    Task UpdateClusterAttributesAsync(string accountId, string clusterId, bool? terminationProtected, bool? keepAlive,
        IReadOnlyDictionary<string, string>? tags, bool? hasRunWork, CancellationToken cancellationToken);
    /// <summary>Sets the idle timeout (EMR's AutoTerminationPolicy); null removes it.</summary>
    Task SetClusterIdleTimeoutAsync(string accountId, string clusterId, TimeSpan? idleTimeout, CancellationToken cancellationToken);
    Task UpdateInstanceGroupCountsAsync(string accountId, string clusterId, string groupId, int requestedCount, int runningCount, CancellationToken cancellationToken);
    /// <summary>Inserts or replaces a node row; logs an event when its state changed.</summary>
    Task UpsertNodeAsync(Node node, CancellationToken cancellationToken);
    Task<IReadOnlyList<Node>> ListNodesAsync(string accountId, string clusterId, CancellationToken cancellationToken);

    // ---- jobs, tasks, instances
    /// <summary>
    /// Inserts the job, its tasks, and one Waiting instance row per task instance, in one transaction.
    /// Must stay fast for 100,000 tasks (prepared, reused commands).
    /// </summary>
    /// <exception cref="DuplicateClientTokenException">Another job of the account has the same client token.</exception>
    Task InsertJobAsync(Job job, IReadOnlyList<JobTask> tasks, CancellationToken cancellationToken);
    Task<Job?> GetJobAsync(string accountId, string jobId, CancellationToken cancellationToken);
    Task<Job?> FindJobByClientTokenAsync(string accountId, string clientToken, CancellationToken cancellationToken);
    Task<Page<Job>> ListJobsAsync(string accountId, IReadOnlyCollection<RunState>? states, string? after, int limit, CancellationToken cancellationToken) =>
        ListJobsAsync(accountId, new ListFilter<RunState>(states), after, limit, cancellationToken);
    /// <summary>Jobs of the account in the filter's states, created within its window, in id order.</summary>
    Task<Page<Job>> ListJobsAsync(string accountId, ListFilter<RunState> filter, string? after, int limit, CancellationToken cancellationToken);
    /// <summary>All Waiting and Running jobs of every account (for recovery at start).</summary>
    Task<IReadOnlyList<Job>> ListActiveJobsAsync(CancellationToken cancellationToken);
    /// <summary>Sets the state and reason; sets StartedAt the first time it is Running, EndedAt when it ends, clears EndedAt when it is Waiting again; logs the event.</summary>
    Task SetJobStateAsync(string accountId, string jobId, RunState state, StateReason? reason, DateTimeOffset at, CancellationToken cancellationToken);
    Task SetJobClusterAsync(string accountId, string jobId, string clusterId, CancellationToken cancellationToken);
    /// <summary>Deletes the job with its tasks, instances and events. False when there was no such job.</summary>
    Task<bool> DeleteJobAsync(string accountId, string jobId, CancellationToken cancellationToken);

    Task<JobTask?> GetTaskAsync(string accountId, string jobId, string taskName, CancellationToken cancellationToken);
    /// <summary>All tasks of a job, ordered by name.</summary>
    Task<IReadOnlyList<JobTask>> GetTasksAsync(string accountId, string jobId, CancellationToken cancellationToken);
    Task<Page<JobTask>> ListTasksAsync(string accountId, string jobId, string? after, int limit, CancellationToken cancellationToken);
    /// <summary>Sets the state; StartedAt/EndedAt as for jobs; logs the event.</summary>
    Task SetTaskStateAsync(string accountId, string jobId, string taskName, RunState state, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Replaces the instance row (the scheduler is its only writer); logs an event when its state changed.</summary>
    Task UpdateInstanceAsync(TaskInstance instance, CancellationToken cancellationToken);
    /// <summary>
    /// <see cref="UpdateInstanceAsync(TaskInstance, CancellationToken)"/> and <see cref="SetTaskStateAsync"/> of the instance's task
    /// in one write: the launch that starts a task, the end that ends it (one write per launch instead of two).
    /// </summary>
    Task UpdateInstanceAsync(TaskInstance instance, RunState taskState, DateTimeOffset taskAt, CancellationToken cancellationToken);
    Task<TaskInstance?> GetInstanceAsync(string accountId, string jobId, string taskName, int index, CancellationToken cancellationToken);
    Task<Page<TaskInstance>> ListInstancesAsync(string accountId, string jobId, string taskName, IReadOnlyCollection<RunState>? states, string? after, int limit, CancellationToken cancellationToken);
    /// <summary>The instances of a job that are not Waiting with zero attempts (what recovery needs to rebuild its queue).</summary>
    Task<IReadOnlyList<TaskInstance>> ListStartedInstancesAsync(string accountId, string jobId, CancellationToken cancellationToken);
    /// <summary>Instance counts by state, per task name.</summary>
    Task<IReadOnlyDictionary<string, InstanceCounts>> CountInstancesAsync(string accountId, string jobId, CancellationToken cancellationToken);
    /// <summary>Instance counts by state summed over all tasks of the job (zero for an unknown job or another account's).</summary>
    Task<InstanceCounts> CountJobInstancesAsync(string accountId, string jobId, CancellationToken cancellationToken);
    /// <summary>
    /// <see cref="CountJobInstancesAsync"/> for several jobs of the account in one query (a page of a job listing), by job id;
    /// an unknown job, or another account's, is missing.
    /// </summary>
    Task<IReadOnlyDictionary<string, InstanceCounts>> CountJobsInstancesAsync(string accountId, IReadOnlyCollection<string> jobIds, CancellationToken cancellationToken);
    /// <summary>
    /// The work on a cluster: the running and waiting instances of its Waiting and Running jobs, and the vCPU slots the
    /// running ones hold (each its task's cpu). Zero for an unknown cluster, or another account's.
    /// </summary>
    Task<ClusterLoad> GetClusterLoadAsync(string accountId, string clusterId, CancellationToken cancellationToken);
    /// <summary>Marks every Waiting instance of the job Stopped (error code Stopped) in one statement.</summary>
    Task StopWaitingInstancesAsync(string accountId, string jobId, DateTimeOffset at, CancellationToken cancellationToken);
    /// <summary>
    /// Ends, in one statement, every task of the job that is still Waiting or Running: Failed when it has a
    /// failed instance, else Stopped, with EndedAt set. For a job ending early (no per-task events, as for
    /// <see cref="StopWaitingInstancesAsync"/>): a 100,000-task job must not take 100,000 writes to stop.
    /// </summary>
    Task EndUnfinishedTasksAsync(string accountId, string jobId, DateTimeOffset at, CancellationToken cancellationToken);
    /// <summary>
    /// For a restart: instances not Finished go back to Waiting with no attempts, node, exit code or error;
    /// tasks not Finished go back to Waiting. Finished work is kept.
    /// </summary>
    Task ResetUnfinishedAsync(string accountId, string jobId, CancellationToken cancellationToken);

    // ---- steps (ordered by id: ids are time-ordered, so id order is submission order)
    /// <summary>
    /// Inserts the steps of one add request (all of one cluster, in order) in one transaction, or none of them.
    /// </summary>
    /// <exception cref="DuplicateClientTokenException">A step of the cluster already carries the steps' client token.</exception>
    /// <exception cref="StepLimitExceededException">The cluster's active steps plus these would be more than <paramref name="maxActiveSteps"/>.</exception>
    Task InsertStepsAsync(IReadOnlyList<Step> steps, int maxActiveSteps, CancellationToken cancellationToken);
    Task<Step?> GetStepAsync(string accountId, string clusterId, string stepId, CancellationToken cancellationToken);
    /// <summary>The steps of the cluster added with this client token, oldest first (empty when none).</summary>
    Task<IReadOnlyList<Step>> FindStepsByClientTokenAsync(string accountId, string clusterId, string clientToken, CancellationToken cancellationToken);
    /// <summary>
    /// Steps of the cluster newest first: up to <paramref name="limit"/> with ids strictly below <paramref name="before"/>
    /// (null: from the newest). <paramref name="states"/> null or empty means all states.
    /// </summary>
    Task<Page<Step>> ListStepsAsync(string accountId, string clusterId, IReadOnlyCollection<StepState>? states, string? before, int limit, CancellationToken cancellationToken);
    /// <summary>Replaces the step's state, reason, failure and times (the scheduler is its only writer); logs an event when the state changed.</summary>
    Task UpdateStepAsync(Step step, CancellationToken cancellationToken);
    /// <summary>All Pending, Running and CancelPending steps of every account, oldest first (for recovery at start).</summary>
    Task<IReadOnlyList<Step>> ListActiveStepsAsync(CancellationToken cancellationToken);

    // ---- pending commands (one server alone on its store)
    /// <summary>
    /// Records a stop, terminate or step cancel that is about to be answered 202 and is not yet carried out, so that
    /// recovery carries it out after a crash. The store deletes it with the write that ends its target (the job ending,
    /// the cluster reaching Terminated or TerminatedWithErrors, the step ending).
    /// </summary>
    Task InsertPendingCommandAsync(ClusterCommand command, CancellationToken cancellationToken);
    /// <summary>Every pending command, oldest first (for recovery at start).</summary>
    Task<IReadOnlyList<ClusterCommand>> ListPendingCommandsAsync(CancellationToken cancellationToken);

    // ---- bucket owners (not scoped by account: deciding who may use a bucket needs its owner whoever asks)
    /// <summary>The owner of the store's bucket, or null when no account owns it. Store names compare case-insensitively.</summary>
    Task<BucketOwner?> GetBucketOwnerAsync(string storeName, string bucket, CancellationToken cancellationToken);
    /// <summary>
    /// Records <paramref name="owner"/> unless the bucket has an owner already, and returns the bucket's owner after the
    /// call: <paramref name="owner"/> when it was recorded, else the earlier one. Of concurrent claims exactly one wins.
    /// </summary>
    Task<BucketOwner> ClaimBucketAsync(BucketOwner owner, CancellationToken cancellationToken);
    /// <summary>Makes <paramref name="owner"/> the bucket's owner, replacing any earlier one (an operator's reassignment).</summary>
    Task SetBucketOwnerAsync(BucketOwner owner, CancellationToken cancellationToken);

    // ---- event log
    /// <summary>Events of one resource (exact id) or, with <paramref name="resourceId"/> null, of the account; ascending sequence after <paramref name="afterSequence"/>.</summary>
    Task<IReadOnlyList<StateEvent>> ListEventsAsync(string accountId, string? resourceId, long afterSequence, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Appends an event to a cluster's log that is no state change (from and to its current state), such as a node shell a
    /// person opened: who, where and what, in <paramref name="reason"/>. Nothing when the account has no such cluster.
    /// </summary>
    Task RecordClusterEventAsync(string accountId, string clusterId, StateReason reason, DateTimeOffset at, CancellationToken cancellationToken);
}
