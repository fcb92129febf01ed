using Microsoft.Extensions.Options;
using Sluice.Core.Ports;

namespace Sluice.Core.Accounts;

/// <summary>The default <see cref="ITenantIsolation"/>: what <see cref="SluiceOptions.IsolatesAccounts"/> says, until the server detects it.</summary>
public sealed class ConfiguredTenantIsolation(IOptions<SluiceOptions> options) : ITenantIsolation
{
    /// <inheritdoc />
    public bool IsolatesAccounts => options.Value.IsolatesAccounts;

    /// <inheritdoc />
    public string Description => IsolatesAccounts
        ? "the server is configured to allow several accounts (IsolatesAccounts is true)"
        : "the server is configured as single-tenant (IsolatesAccounts is false)";
}
