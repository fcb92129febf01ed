namespace Sluice.Core.Ports;

/// <summary>
/// Whether this server can keep the processes of one account from reading another's files. Creating a second
/// account is refused (409 SingleTenantServer) when it cannot: accounts share nothing through the API, and must not
/// through the machine either.
/// </summary>
public interface ITenantIsolation
{
    /// <summary>True when tasks of different accounts are isolated from each other, so several accounts may exist.</summary>
    bool IsolatesAccounts { get; }

    /// <summary>How the server isolates accounts, or why it cannot; shown in the refusal.</summary>
    string Description { get; }
}
