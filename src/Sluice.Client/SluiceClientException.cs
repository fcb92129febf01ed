namespace Sluice.Client;

/// <summary>
/// The call failed on the client side: the service could not be reached, an attempt timed out, the response
/// could not be read, or the client is misconfigured. <see cref="Exception.InnerException"/> holds the cause.
/// When the call was retried, this is the error of the last attempt (see <see cref="SluiceException.Attempts"/>).
/// </summary>
public class SluiceClientException : SluiceException
{
    /// <summary>Creates an exception with a generic message.</summary>
    public SluiceClientException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public SluiceClientException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public SluiceClientException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
