namespace Sluice.Core.Ports;

/// <summary>Why a backend was asked to end a launched process: the reason it reports, and a message to report instead of its default one.</summary>
/// <param name="Reason">How the process is to be reported ended (<see cref="ProcessEndReason.Killed"/>, <see cref="ProcessEndReason.TimedOut"/>, <see cref="ProcessEndReason.Lost"/>).</param>
/// <param name="Message">What to report; null for the default message of the reason.</param>
public readonly record struct EndRequest(ProcessEndReason Reason, string? Message);
