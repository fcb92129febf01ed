namespace Sluice.Client;

/// <summary>
/// An AZTK setting Sluice cannot honour, refused before anything is sent: <see cref="ErrorCode"/> says which
/// (<c>DockerNotSupported</c>: no container runtime runs the nodes; <c>RetryNotSupported</c>: steps are not retried).
/// </summary>
public sealed class UnsupportedSparkSettingException : ArgumentException
{
    /// <summary>The code of <c>docker_repo</c> refused: the nodes run processes on the host, with no container runtime.</summary>
    public const string DockerNotSupported = "DockerNotSupported";

    /// <summary>The code of <c>max_retry_count</c> above 0 refused: a Spark step runs once.</summary>
    public const string RetryNotSupported = "RetryNotSupported";

    /// <summary>Creates an exception with a generic message.</summary>
    public UnsupportedSparkSettingException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What was refused and what to do.</param>
    public UnsupportedSparkSettingException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What was refused.</param>
    /// <param name="innerException">The cause.</param>
    public UnsupportedSparkSettingException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for a refused setting.</summary>
    /// <param name="errorCode">A stable code: <see cref="DockerNotSupported"/> or <see cref="RetryNotSupported"/>.</param>
    /// <param name="message">What was refused and what to do.</param>
    /// <param name="paramName">The setting.</param>
    public UnsupportedSparkSettingException(string errorCode, string message, string paramName)
        : base($"{errorCode}: {message}", paramName)
    {
        ErrorCode = errorCode;
    }

    /// <summary>The stable code of the refusal; empty when created without one.</summary>
    public string ErrorCode { get; } = "";
}
