namespace Sluice.Core;

/// <summary>One image of the server's catalog (<c>Sluice:Images:&lt;id&gt;</c> in the configuration).</summary>
public sealed class ImageSpec
{
    /// <summary>What the image is, shown by the image calls.</summary>
    public string Description { get; set; } = "";

    /// <summary>Environment variables every task of a cluster of this image gets; the cluster's and the task's own win.</summary>
    public Dictionary<string, string> Environment { get; set; } = new(StringComparer.Ordinal);
}
