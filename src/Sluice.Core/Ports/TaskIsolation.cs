namespace Sluice.Core.Ports;

/// <summary>What a compute backend guarantees about one account's tasks and the others' (and the server's) files and processes.</summary>
/// <param name="IsolatesAccounts">
/// True when a task can read or write nothing of the server (its database, keys, data directory) and nothing of another
/// account (working directories, logs, packages, processes). A server hosts more than one account only on backends that do.
/// </param>
/// <param name="Description">What the backend does, or why it cannot isolate accounts, in a sentence the operator reads at start-up.</param>
public sealed record TaskIsolation(bool IsolatesAccounts, string Description);
