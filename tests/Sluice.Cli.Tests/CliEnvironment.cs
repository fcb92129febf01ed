namespace Sluice.Cli.Tests;

/// <summary>
/// The environment of a child `sluice` process: its own HOME (so ~/.sluice/credentials is a temp file) and,
/// optionally, SLUICE_* credentials and other variables (server configuration such as SLUICE_Store__Provider).
/// Nothing else from the test process's SLUICE_* variables leaks in.
/// </summary>
public sealed record CliEnvironment(string Home, Uri? Endpoint = null, string? AccessKeyId = null, string? SecretAccessKey = null,
    IReadOnlyDictionary<string, string>? Variables = null);
