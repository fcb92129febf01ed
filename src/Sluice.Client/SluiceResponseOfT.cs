namespace Sluice.Client;

/// <summary>A value returned by the service, with the response metadata. Converts implicitly to <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The value type.</typeparam>
public class SluiceResponse<T> : SluiceResponse
{
    /// <summary>Creates a response.</summary>
    /// <param name="value">The value.</param>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="requestId">The request id; null when absent.</param>
    public SluiceResponse(T value, int statusCode, string? requestId)
        : base(statusCode, requestId)
    {
        Value = value;
    }

    /// <summary>The value the service returned.</summary>
    public T Value { get; }

    /// <summary>Returns <see cref="SluiceResponse{T}.Value"/>.</summary>
    /// <param name="response">The response.</param>
    public static implicit operator T(SluiceResponse<T> response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Value;
    }
}
