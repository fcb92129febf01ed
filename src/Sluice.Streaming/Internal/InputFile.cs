namespace Sluice.Streaming.Internal;

/// <summary>One input file: a local path or an object URI, and its size.</summary>
internal sealed record InputFile(string Path, long Length);
