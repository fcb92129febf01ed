namespace Sluice.Core.Model;

/// <summary>A job as the scheduler admits it: the job, all its tasks, and the instances that have started (empty for a new job).</summary>
public sealed record JobSnapshot(Job Job, IReadOnlyList<JobTask> Tasks, IReadOnlyList<TaskInstance> Started);
