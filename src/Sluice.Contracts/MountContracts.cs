namespace Sluice.Contracts;

// Wire shapes of mounts (BatchCompute's Configs.Mounts), grouped because they nest.

/// <summary>
/// Folders of object storage that appear inside each instance's working directory (BatchCompute's
/// <c>Mounts</c>). Given on a cluster and on a job; for the same destination the job's entry wins.
/// </summary>
public sealed class MountsConfig
{
    /// <summary>The mount points (at most 32).</summary>
    public List<MountEntryConfig>? Entries { get; set; }
}

/// <summary>One mount point: an object-storage folder copied into the instance's working directory before it runs.</summary>
public sealed class MountEntryConfig
{
    /// <summary>
    /// The folder to mount: an object URI (<c>oss://</c>, <c>bos://</c>, <c>s3://</c>, <c>s3n://</c>, <c>nas://</c>,
    /// <c>file://</c>) resolved through the configured object stores. Always a folder: a trailing <c>/</c> is added when missing.
    /// </summary>
    public string? Source { get; set; }

    /// <summary>
    /// Where the folder appears, relative to the instance's working directory (such as <c>data/in</c>); no
    /// absolute path, no <c>..</c> segment.
    /// </summary>
    public string? Destination { get; set; }

    /// <summary>
    /// Whether files the instance creates or changes under the destination are uploaded back under the source
    /// when the instance ends (whether it finished or failed). Default false: read-only, nothing is uploaded.
    /// </summary>
    public bool WriteSupport { get; set; }
}
