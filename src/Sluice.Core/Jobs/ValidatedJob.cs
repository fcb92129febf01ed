using Sluice.Core.Model;

namespace Sluice.Core.Jobs;

/// <summary>A job request that passed validation: the records to insert, and the auto-cluster if any.</summary>
public sealed record ValidatedJob(Job Job, IReadOnlyList<JobTask> Tasks, Cluster? AutoCluster);
