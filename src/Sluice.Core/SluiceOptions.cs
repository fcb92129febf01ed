namespace Sluice.Core;

/// <summary>Settings of the core service.</summary>
public sealed class SluiceOptions
{
    /// <summary>Root of everything the server keeps on disk (database, logs, node directories).</summary>
    public string DataDirectory { get; set; } = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".sluice", "data");

    /// <summary>Where instance and bootstrap logs are written; must be visible to every node (a shared filesystem for Slurm).</summary>
    public string LogDirectory => Path.Combine(DataDirectory, "logs");

    /// <summary>Extra instance types on top of the built-in catalog.</summary>
    public Dictionary<string, InstanceTypeSpec> InstanceTypes { get; set; } = [];

    /// <summary>Empty an instance's slot working directory when it ends, so the next instance starts in an empty one. Default true (logs are kept elsewhere).</summary>
    public bool RemoveInstanceWorkingDirectories { get; set; } = true;
}
