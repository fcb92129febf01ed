namespace Sluice.Client.Tests.Infrastructure;

/// <summary>A request as the scripted server saw it.</summary>
public sealed record RecordedRequest(
    int Number,
    string Method,
    string RawPath,
    string RawQuery,
    string[] Segments,
    List<KeyValuePair<string, string>> Query,
    byte[] Body,
    Dictionary<string, string> Headers,
    CancellationToken Aborted)
{
    /// <summary>The decoded path, "/v1/jobs/j-1".</summary>
    public string Path => "/" + string.Join('/', Segments);

    public string? QueryValue(string name) => Query.Where(p => p.Key == name).Select(p => p.Value).FirstOrDefault();

    public IEnumerable<string> QueryValues(string name) => Query.Where(p => p.Key == name).Select(p => p.Value);
}
