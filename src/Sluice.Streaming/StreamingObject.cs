namespace Sluice.Streaming;

/// <summary>One object of an <see cref="IStreamingStore"/>.</summary>
/// <param name="Uri">Its canonical URI.</param>
/// <param name="RelativePath">For a listing, its key below the listed prefix ('/'-separated); for a head, its name.</param>
/// <param name="Size">Bytes.</param>
public sealed record StreamingObject(string Uri, string RelativePath, long Size);
