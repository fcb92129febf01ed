namespace Sluice.Core.Steps;

/// <summary>
/// Where a step's jars, scripts, inputs and outputs live. The default resolves local paths and <c>file://</c>
/// URIs; an object store replaces it to serve <c>s3://</c>, <c>bos://</c> and <c>oss://</c> URIs.
/// </summary>
public interface IStepFileResolver
{
    /// <summary>The path the nodes read or write for <paramref name="uri"/>.</summary>
    /// <exception cref="SluiceException">InvalidParameter: a scheme this server cannot resolve (the message names <paramref name="field"/>).</exception>
    string ToLocalPath(string uri, string field);

    /// <summary>True when a file or directory exists at <paramref name="uri"/> (a glob: when anything matches its directory).</summary>
    bool Exists(string uri, string field);
}
