namespace Sluice.Client;

/// <summary>The metadata of a service response without a value (a delete, for instance).</summary>
public class SluiceResponse
{
    /// <summary>Creates response metadata.</summary>
    /// <param name="statusCode">The HTTP status, such as 200.</param>
    /// <param name="requestId">The <c>x-sluice-request-id</c> of the response; null when absent.</param>
    public SluiceResponse(int statusCode, string? requestId)
    {
        StatusCode = statusCode;
        RequestId = requestId;
    }

    /// <summary>The HTTP status of the response, such as 200, 201 or 204.</summary>
    public int StatusCode { get; }

    /// <summary>The request id the service assigned (<c>x-sluice-request-id</c>); quote it when reporting a problem. Null when absent.</summary>
    public string? RequestId { get; }
}
