using System.Net;
using System.Text;
using System.Text.Json;
using Sluice.Contracts;

namespace Sluice.Client;

/// <summary>
/// The service answered with an HTTP error status (4xx or 5xx). Carries the status, the stable error code from
/// <see cref="ErrorCodes"/>, the request id to report, and the service's message (<see cref="Exception.Message"/>).
/// </summary>
public class SluiceServiceException : SluiceException
{
    /// <summary>Creates an exception with a generic message.</summary>
    public SluiceServiceException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public SluiceServiceException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public SluiceServiceException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception describing an error response.</summary>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="errorCode">The error code, such as <c>ClusterNotFound</c>.</param>
    /// <param name="message">The service's message.</param>
    /// <param name="requestId">The request id; null when the response carried none.</param>
    public SluiceServiceException(int statusCode, string errorCode, string message, string? requestId)
        : base(message)
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
        RequestId = requestId;
    }

    /// <summary>The HTTP status code, such as 404.</summary>
    public int StatusCode { get; }

    /// <summary>
    /// The stable error code (see <see cref="ErrorCodes"/>). When the body was not a Sluice error (a proxy's page,
    /// for instance) it is <c>Http</c> followed by the status, such as <c>Http502</c>.
    /// </summary>
    public string ErrorCode { get; } = "";

    /// <summary>The id of the failed request (body, else the <c>x-sluice-request-id</c> header); null when unknown.</summary>
    public string? RequestId { get; }

    /// <summary>The message with status, error code and request id, then the stack trace.</summary>
    public override string ToString() =>
        $"{GetType().FullName}: {Message} (status {StatusCode}, code {ErrorCode}, request id {RequestId ?? "none"}, attempts {Attempts})"
        + Environment.NewLine + StackTrace;

    internal static SluiceServiceException FromResponse(int status, string? reasonPhrase, string? headerRequestId, byte[] body)
    {
        ErrorResponse? error = null;
        if (body.Length > 0)
        {
            try
            {
                error = JsonSerializer.Deserialize(body, SluiceJsonContext.Default.ErrorResponse);
            }
            catch (JsonException)
            {
                error = null;
            }
        }
        if (error is not null && !string.IsNullOrEmpty(error.Code))
        {
            var requestId = string.IsNullOrEmpty(error.RequestId) ? headerRequestId : error.RequestId;
            var message = string.IsNullOrEmpty(error.Message) ? $"The service returned {error.Code} (HTTP {status})." : error.Message;
            return new SluiceServiceException(status, error.Code, message, requestId);
        }
        var reason = string.IsNullOrEmpty(reasonPhrase) ? ((HttpStatusCode)status).ToString() : reasonPhrase;
        var text = body.Length == 0 ? "" : Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 512)).Trim();
        var fallback = $"The service returned HTTP {status} ({reason}) without a Sluice error body" + (text.Length == 0 ? "." : $": {text}");
        return new SluiceServiceException(status, "Http" + status.ToString(System.Globalization.CultureInfo.InvariantCulture), fallback, headerRequestId);
    }
}
