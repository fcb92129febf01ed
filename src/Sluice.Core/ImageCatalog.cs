using Microsoft.Extensions.Options;
using Sluice.Contracts;

namespace Sluice.Core;

/// <summary>
/// The images a cluster may name. Sluice nodes are slot pools on the server (or Slurm), not VMs booted from an image,
/// so an image is a name with a description and an environment its clusters' tasks get. Built in: <c>img-ubuntu</c>
/// (the default: the server's own system), BatchCompute's <c>img-ubuntu-vpc</c>, <c>img-centos</c>,
/// <c>img-centos-vpc</c> (the same system under their names) and the BMR stacks <c>hadoop-0.1.0</c> … <c>hadoop-2.0.0</c>
/// (BMR's <c>imageType</c>-<c>imageVersion</c>); <see cref="SluiceOptions.Images"/> adds or overrides entries.
/// </summary>
public sealed class ImageCatalog
{
    /// <summary>The image of a cluster created without one.</summary>
    public const string DefaultImageId = "img-ubuntu";

    private static readonly Dictionary<string, ImageSpec> BuiltIn = new(StringComparer.Ordinal)
    {
        [DefaultImageId] = new() { Description = "the server's own operating system and tools (tasks run as local processes)" },
        // BatchCompute's official image names, so their examples run unchanged; all are the server's own system.
        ["img-ubuntu-vpc"] = new() { Description = "BatchCompute's Ubuntu image name: the server's own operating system and tools" },
        ["img-centos"] = new() { Description = "BatchCompute's CentOS image name: the server's own operating system and tools" },
        ["img-centos-vpc"] = new() { Description = "BatchCompute's CentOS image name: the server's own operating system and tools" },
        ["hadoop-0.1.0"] = new() { Description = "BMR image hadoop 0.1.0: applications come from the server's launchers" },
        ["hadoop-0.2.0"] = new() { Description = "BMR image hadoop 0.2.0: applications come from the server's launchers" },
        ["hadoop-1.0.0"] = new() { Description = "BMR image hadoop 1.0.0: applications come from the server's launchers" },
        ["hadoop-1.1.0"] = new() { Description = "BMR image hadoop 1.1.0: applications come from the server's launchers" },
        ["hadoop-1.2.0"] = new() { Description = "BMR image hadoop 1.2.0: applications come from the server's launchers" },
        ["hadoop-2.0.0"] = new() { Description = "BMR image hadoop 2.0.0: applications come from the server's launchers" },
    };

    private readonly Dictionary<string, ImageSpec> _images;

    public ImageCatalog(IOptions<SluiceOptions> options)
        : this(options.Value)
    {
    }

    public ImageCatalog(SluiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _images = new Dictionary<string, ImageSpec>(BuiltIn, StringComparer.Ordinal);
        foreach (var (id, spec) in options.Images)
        {
            _images[id] = spec;
        }
    }

    public IReadOnlyDictionary<string, ImageSpec> Images => _images;

    /// <summary>The image, or null when the catalog no longer has it (a cluster keeps the id it was created with).</summary>
    public ImageSpec? Find(string? imageId) => _images.GetValueOrDefault(imageId ?? DefaultImageId);

    /// <summary>The image id itself when the catalog has it, else a <see cref="ServiceException"/> (UnknownImage) listing the known ones.</summary>
    public string Require(string imageId, string field) =>
        _images.ContainsKey(imageId)
            ? imageId
            : throw new ServiceException(ErrorCodes.UnknownImage,
                $"{field} '{imageId}' is not in the server's image catalog; known images: {string.Join(", ", _images.Keys.Order(StringComparer.Ordinal))} (add more under Sluice:Images in the server configuration)");
}
