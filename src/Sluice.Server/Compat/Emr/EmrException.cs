using Sluice.Contracts;
using Sluice.Core;

namespace Sluice.Server.Compat.Emr;

/// <summary>A failure answered in EMR's error shape: an EMR error type, a message and an HTTP status.</summary>
internal sealed class EmrException(string type, string message, int status = 400) : Exception(message)
{
    /// <summary>Refused input: JSON's <c>ValidationException</c>, the Query API's <c>ValidationError</c>.</summary>
    public const string Validation = "ValidationException";

    /// <summary>A resource that does not exist (EMR's answer for an unknown cluster or step id).</summary>
    public const string InvalidRequest = "InvalidRequestException";

    public const string InternalServerError = "InternalServerError";

    public const string UnknownOperation = "UnknownOperationException";

    public string Type { get; } = type;

    public int Status { get; } = status;

    public static EmrException Invalid(string message) => new(Validation, message);

    /// <summary>
    /// The EMR error for a core failure: unknown resources are <c>InvalidRequestException</c> (as EMR answers an
    /// unknown cluster id), refused input and states are <c>ValidationException</c>, the server's own trouble is
    /// <c>InternalServerError</c> (500, which clients retry).
    /// </summary>
    public static EmrException From(ServiceException error) => From(error.Code, error.Message);

    public static EmrException From(string code, string message) => code switch
    {
        ErrorCodes.ClusterNotFound or ErrorCodes.StepNotFound or ErrorCodes.InstanceGroupNotFound or ErrorCodes.InvalidMarker
            => new(InvalidRequest, message),
        ErrorCodes.AccessDenied => new("AccessDeniedException", message),
        ErrorCodes.MissingAuthentication => new("MissingAuthenticationTokenException", message, 403),
        ErrorCodes.InvalidAccessKeyId => new("UnrecognizedClientException", message),
        ErrorCodes.SignatureDoesNotMatch or ErrorCodes.InvalidRegion or ErrorCodes.ReplayedRequest => new("InvalidSignatureException", message),
        ErrorCodes.RequestExpired => new("InvalidSignatureException", "Signature expired: " + message),
        ErrorCodes.InternalError or ErrorCodes.StoreUnavailable or ErrorCodes.ObjectStoreUnavailable => new(InternalServerError, message, 500),
        _ => new(Validation, message),
    };

    /// <summary>The error's type as the protocol names it: the Query API's own names where they differ from JSON's.</summary>
    public string TypeFor(EmrProtocol protocol) => protocol == EmrProtocol.Json ? Type : Type switch
    {
        Validation => "ValidationError",
        UnknownOperation => "InvalidAction",
        "AccessDeniedException" => "AccessDenied",
        "MissingAuthenticationTokenException" => "MissingAuthenticationToken",
        "UnrecognizedClientException" => "InvalidClientTokenId",
        "InvalidSignatureException" => Message.StartsWith("Signature expired", StringComparison.Ordinal) ? "RequestExpired" : "SignatureDoesNotMatch",
        _ => Type,
    };

    /// <summary>The Query API's fault side: the caller's (Sender) or the server's (Receiver).</summary>
    public string Fault => Status >= 500 ? "Receiver" : "Sender";
}
