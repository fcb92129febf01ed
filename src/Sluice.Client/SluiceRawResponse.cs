using System.Net.Http.Headers;

namespace Sluice.Client;

/// <summary>A response read in full.</summary>
internal sealed class SluiceRawResponse(int status, string? requestId, byte[] body, HttpResponseHeaders headers)
{
    public int Status { get; } = status;
    public string? RequestId { get; } = requestId;
    public byte[] Body { get; } = body;
    public HttpResponseHeaders Headers { get; } = headers;

    public string? Header(string name) =>
        Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
