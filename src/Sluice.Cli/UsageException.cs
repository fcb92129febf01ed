namespace Sluice.Cli;

/// <summary>A mistake in the command line or an input file; printed as it is, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
