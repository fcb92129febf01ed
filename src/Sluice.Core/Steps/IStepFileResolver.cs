namespace Sluice.Core.Steps;

/// <summary>
/// Where a step's jars, scripts, inputs and outputs live: local paths, <c>file://</c> URIs, and (with
/// <see cref="ObjectStepFileResolver"/>) <c>bos://</c>, <c>oss://</c>, <c>s3://</c> and <c>s3n://</c> object URIs.
/// </summary>
public interface IStepFileResolver
{
    /// <summary>
    /// The path the nodes read or write for <paramref name="uri"/>; an object URI is returned in its canonical
    /// form (the tools that read inputs and write outputs get the URI; jars and scripts go through <see cref="FetchAsync"/>).
    /// </summary>
    /// <exception cref="ServiceException">InvalidParameter: a scheme this server cannot resolve (the message names <paramref name="field"/>).</exception>
    string ToLocalPath(string uri, string field);

    /// <summary>True when a file or directory exists at <paramref name="uri"/> (a glob: when anything matches its directory; an object URI: the object or anything under it as a prefix).</summary>
    Task<bool> ExistsAsync(string uri, string field, CancellationToken cancellationToken);

    /// <summary>
    /// A local file the step's program can open for <paramref name="uri"/>: a local path as it is, an object
    /// downloaded into <paramref name="directory"/> (kept under its own file name).
    /// </summary>
    Task<string> FetchAsync(string uri, string directory, string field, CancellationToken cancellationToken);
}
