using Sluice.Contracts;

namespace Sluice.Client;

/// <summary>
/// How a job ended, as <see cref="SluiceClient.WaitForJobAsync"/> reports it (BatchCompute's <c>poll</c>):
/// the final job and, when it did not finish, one line per failed instance.
/// </summary>
public sealed class JobCompletion
{
    /// <summary>Creates a completion.</summary>
    /// <param name="job">The job in its final state.</param>
    /// <param name="failedInstances">The failed instances.</param>
    /// <param name="errors">One line per failed instance.</param>
    public JobCompletion(JobInfo job, IReadOnlyList<InstanceInfo> failedInstances, IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(failedInstances);
        ArgumentNullException.ThrowIfNull(errors);
        Job = job;
        FailedInstances = failedInstances;
        Errors = errors;
    }

    /// <summary>The job in its final state: <c>Finished</c>, <c>Failed</c> or <c>Stopped</c>.</summary>
    public JobInfo Job { get; }

    /// <summary>True when the job ended <c>Finished</c>.</summary>
    public bool Succeeded => Job.State == JobStates.Finished;

    /// <summary>
    /// One line per failed instance: task, index, error code, exit code and message, such as
    /// <c>task 'split' instance 2: NonZeroExit (exit code 3): exited with 3</c>. Empty when the job finished or no
    /// instance failed (a stopped job, for instance; see <see cref="JobInfo.StateChangeReason"/>).
    /// </summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>The failed instances behind <see cref="Errors"/>, in the same order.</summary>
    public IReadOnlyList<InstanceInfo> FailedInstances { get; }
}
