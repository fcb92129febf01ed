namespace Sluice.Contracts;

/// <summary>The body of every error response.</summary>
public sealed class ErrorResponse
{
    /// <summary>A stable code from <see cref="ErrorCodes"/>.</summary>
    public string Code { get; set; } = "";

    /// <summary>What went wrong and what to do about it.</summary>
    public string Message { get; set; } = "";

    /// <summary>The id of the request, also sent in the <c>x-sluice-request-id</c> header.</summary>
    public string RequestId { get; set; } = "";
}
