namespace Sluice.Client;

/// <summary>The logs of a step.</summary>
public enum StepLogKind
{
    /// <summary>What Sluice did for the step: the command it ran, where, how it ended.</summary>
    Controller,
    /// <summary>The step's standard output (for a streaming step: the job summary and counters).</summary>
    Stdout,
    /// <summary>The step's standard error.</summary>
    Stderr,
}
