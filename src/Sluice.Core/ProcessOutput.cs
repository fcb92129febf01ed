namespace Sluice.Core;

/// <summary>Which output of a process a log file holds.</summary>
public enum ProcessOutput { Stdout, Stderr }
