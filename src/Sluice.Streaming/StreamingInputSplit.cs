namespace Sluice.Streaming;

/// <summary>
/// A byte range of one input file. The task reads the lines that start in (Start, Start+Length]
/// (and the one at 0 for the first split), as Hadoop's LineRecordReader does. Compressed files are one split.
/// </summary>
public sealed record StreamingInputSplit(string Path, long Start, long Length, bool Compressed);
