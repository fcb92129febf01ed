using Sluice.Contracts;

namespace Sluice.Core;

/// <summary>
/// A failure the caller can act on, with a stable code from <see cref="ErrorCodes"/>. The API layer
/// maps the code to an HTTP status; the message is shown to the user as it is, so it says what to fix.
/// </summary>
public sealed class ServiceException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
