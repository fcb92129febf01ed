namespace Sluice.Core;

/// <summary>The logs every step keeps: what Sluice did (controller) and the step's own output.</summary>
public enum StepLog { Controller, Stdout, Stderr }
