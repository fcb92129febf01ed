namespace Sluice.Client;

/// <summary>
/// The base of every error the SDK raises for a call that did not succeed: <see cref="SluiceServiceException"/>
/// when the service answered with an error, <see cref="SluiceClientException"/> when no usable answer came back,
/// <see cref="SluiceWaitException"/> when a waited-for resource ended in the wrong state. Invalid arguments throw
/// <see cref="ArgumentException"/> before any request is sent.
/// </summary>
public class SluiceException : Exception
{
    /// <summary>Creates an exception with a generic message.</summary>
    public SluiceException()
        : base("A Sluice call failed.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public SluiceException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public SluiceException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// How many attempts the call made before failing (1 when it was not retried). When retries were exhausted this
    /// exception is the error of the last attempt. Default 1.
    /// </summary>
    public int Attempts { get; internal set; } = 1;
}
