namespace Sluice.Contracts;

/// <summary>An image of the server's catalog (<c>GET /v1/images</c>): what a cluster's <c>imageId</c> may name.</summary>
public sealed class ImageInfo
{
    /// <summary>The image id, such as <c>img-ubuntu</c>.</summary>
    public string Id { get; set; } = "";
    /// <summary>What the image is, as the server's configuration describes it.</summary>
    public string Description { get; set; } = "";
    /// <summary>Whether clusters created without an image get this one.</summary>
    public bool IsDefault { get; set; }
    /// <summary>Environment variables every task of a cluster of this image gets (below the cluster's and the task's own).</summary>
    public Dictionary<string, string> Environment { get; set; } = [];
    /// <summary>When the catalog entry was read: the server's start (images have no history).</summary>
    public DateTimeOffset CreatedAt { get; set; }
}
