namespace Sluice.Core.Ports;

/// <summary>A launch's working directory and output files as absolute paths.</summary>
/// <param name="WorkingDirectory"><see cref="LaunchRequest.WorkingDirectory"/>, relative to the node's directory.</param>
/// <param name="StdoutPath"><see cref="LaunchRequest.StdoutPath"/>, relative to the working directory.</param>
/// <param name="StderrPath"><see cref="LaunchRequest.StderrPath"/>, relative to the working directory.</param>
public readonly record struct LaunchPaths(string WorkingDirectory, string StdoutPath, string StderrPath)
{
    /// <summary>Resolves the request's paths the way every backend does: the working directory against the node's, the output files against the working directory.</summary>
    public static LaunchPaths Resolve(LaunchRequest request, string nodeDirectory)
    {
        ArgumentNullException.ThrowIfNull(request);
        var workingDirectory = Path.GetFullPath(request.WorkingDirectory, nodeDirectory);
        return new LaunchPaths(
            workingDirectory,
            Path.GetFullPath(request.StdoutPath, workingDirectory),
            Path.GetFullPath(request.StderrPath, workingDirectory));
    }
}
