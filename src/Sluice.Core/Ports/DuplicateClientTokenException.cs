namespace Sluice.Core.Ports;

/// <summary>Thrown by a store when an insert reuses a client token of the same account and kind.</summary>
public sealed class DuplicateClientTokenException(string clientToken)
    : Exception($"client token '{clientToken}' is already used")
{
    public string ClientToken { get; } = clientToken;
}
