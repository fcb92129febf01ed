namespace Sluice.Server.Compat.Bmr;

/// <summary>A failure the BMR API answers with its own code and status (signature and protocol errors).</summary>
internal sealed class BmrException(string code, int status, string message) : Exception(message)
{
    /// <summary>The BCE error code.</summary>
    public string Code { get; } = code;

    /// <summary>The HTTP status.</summary>
    public int Status { get; } = status;
}
