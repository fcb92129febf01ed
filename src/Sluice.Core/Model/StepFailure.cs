namespace Sluice.Core.Model;

/// <summary>Why a step failed (EMR's FailureDetails): a stable reason code, a message and the log that tells more.</summary>
public sealed record StepFailure(string Reason, string Message, string? LogFile);
