using Microsoft.Extensions.Options;
using Sluice.Core.Ports;

namespace Sluice.Core.Accounts;

/// <summary>
/// The server isolates accounts when every compute backend it runs work on isolates tasks (<see cref="IComputeBackend.Isolation"/>);
/// <see cref="SluiceOptions.AllowUnisolatedAccounts"/> lets an operator host several accounts anyway, knowingly.
/// </summary>
public sealed class BackendTenantIsolation(IEnumerable<IComputeBackend> backends, IOptions<SluiceOptions> options) : ITenantIsolation
{
    private readonly IComputeBackend[] _backends = [.. backends];

    /// <inheritdoc />
    public bool IsolatesAccounts => options.Value.AllowUnisolatedAccounts || _backends.All(b => b.Isolation.IsolatesAccounts);

    /// <inheritdoc />
    public string Description
    {
        get
        {
            var gaps = _backends.Where(b => !b.Isolation.IsolatesAccounts).Select(b => $"backend {b.Name}: {b.Isolation.Description}").ToList();
            if (gaps.Count == 0)
            {
                return string.Join("; ", _backends.Select(b => $"backend {b.Name}: {b.Isolation.Description}"));
            }
            var reason = string.Join("; ", gaps);
            return options.Value.AllowUnisolatedAccounts
                ? $"accounts are not isolated ({reason}), and AllowUnisolatedAccounts lets them share this server"
                : $"this server does not isolate accounts ({reason}); start it with task isolation (sluice up --isolation sandbox) to host more than one";
        }
    }
}
