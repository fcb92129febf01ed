namespace Sluice.Contracts;

/// <summary>HTTP header names of the Sluice protocol.</summary>
public static class SluiceHeaders
{
    /// <summary>The id of the request, on every response.</summary>
    public const string RequestId = "x-sluice-request-id";
    /// <summary>Total size in bytes of a log file, on log reads.</summary>
    public const string LogSize = "x-sluice-log-size";
    /// <summary>"true" when the log will not grow any more, on log reads.</summary>
    public const string LogComplete = "x-sluice-log-complete";
    /// <summary>
    /// A unique id of one SDK call, signed with every attempt (the AWS SDKs' header): two calls made in the same second
    /// with the same body still carry different signatures, so the server's replay check tells them apart.
    /// </summary>
    public const string InvocationId = "amz-sdk-invocation-id";
    /// <summary>The attempt of an SDK call, <c>attempt=N; max=M</c> (the AWS SDKs' header), signed too: a retry is another request.</summary>
    public const string Attempt = "amz-sdk-request";
}
