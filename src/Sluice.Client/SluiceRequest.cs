namespace Sluice.Client;

/// <summary>One logical call: what to send, and whether it may be retried.</summary>
internal sealed class SluiceRequest
{
    public required HttpMethod Method { get; init; }

    /// <summary>The percent-encoded path, starting with '/'.</summary>
    public required string Path { get; init; }

    /// <summary>The raw query string without '?', or empty.</summary>
    public string Query { get; init; } = "";

    /// <summary>The JSON body; null for none.</summary>
    public byte[]? Body { get; init; }

    /// <summary>True when the call is safe or idempotent and may be sent again.</summary>
    public bool Retryable { get; init; }

    /// <summary>False only for unauthenticated routes such as /healthz.</summary>
    public bool Signed { get; init; } = true;

    public override string ToString() => Query.Length == 0 ? $"{Method} {Path}" : $"{Method} {Path}?{Query}";
}
