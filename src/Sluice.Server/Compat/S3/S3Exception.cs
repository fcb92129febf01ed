namespace Sluice.Server.Compat.S3;

/// <summary>An S3 error: the HTTP status and S3's error code, answered as S3's <c>&lt;Error&gt;</c> document.</summary>
internal sealed class S3Exception(int status, string code, string message) : Exception(message)
{
    /// <summary>The HTTP status S3 answers the code with.</summary>
    public int Status { get; } = status;

    /// <summary>S3's error code (NoSuchKey, AccessDenied, …).</summary>
    public string Code { get; } = code;
}
