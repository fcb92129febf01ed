using Sluice.Contracts;

namespace Sluice.Client;

/// <summary>A Spark application as it runs (AZTK's <c>Application</c>): a Spark step of its cluster, with the step's state.</summary>
public sealed class SparkApplication
{
    /// <summary>Creates the application view of a Spark step.</summary>
    /// <param name="step">The step.</param>
    public SparkApplication(StepInfo step)
    {
        ArgumentNullException.ThrowIfNull(step);
        Step = step;
    }

    /// <summary>The application's name.</summary>
    public string Name => Step.Name;

    /// <summary>The step's id.</summary>
    public string StepId => Step.Id;

    /// <summary>The cluster (or job) it runs on.</summary>
    public string ClusterId => Step.ClusterId;

    /// <summary>The step's state: Pending, Running, Completed, CancelPending, Cancelled, Failed or Interrupted (see <see cref="StepStates"/>).</summary>
    public string State => Step.State;

    /// <summary>Why the step failed (reason, message and the log that tells more); null unless it failed.</summary>
    public StepFailureDetails? FailureDetails => Step.FailureDetails;

    /// <summary>When it was submitted.</summary>
    public DateTimeOffset CreatedAt => Step.CreatedAt;

    /// <summary>When it started running; null while pending.</summary>
    public DateTimeOffset? StartedAt => Step.StartedAt;

    /// <summary>When it ended; null until then.</summary>
    public DateTimeOffset? EndedAt => Step.EndedAt;

    /// <summary>True once it has ended (Completed, Cancelled, Failed or Interrupted).</summary>
    public bool IsEnded => StepStates.IsEnded(Step.State);

    /// <summary>The whole step, with its properties (the spark-submit arguments).</summary>
    public StepInfo Step { get; }
}
