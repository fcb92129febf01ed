using Sluice.Contracts;

namespace Sluice.Core.ObjectStorage;

/// <summary>The errors every object store raises, worded alike whichever store raises them; each names the URI.</summary>
public static class ObjectStoreErrors
{
    public static ServiceException NotFound(ObjectUri uri) =>
        new(ErrorCodes.ObjectNotFound, $"object URI '{uri}': no such object");

    public static ServiceException BucketNotFound(ObjectUri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return new(ErrorCodes.BucketNotFound, $"object URI '{uri}': bucket '{uri.Bucket}' does not exist; create it with 'sluice fs mb {uri.Scheme}://{uri.Bucket}'");
    }

    public static ServiceException Invalid(ObjectUri uri, string why) => ObjectUri.Invalid(uri?.ToString() ?? "", why);

    /// <summary>A write or delete aimed at a key ending in '/'.</summary>
    public static ServiceException NotAnObject(ObjectUri uri) =>
        Invalid(uri, "it names a prefix (ends with '/'), not an object; add a file name");

    public static ServiceException Unavailable(ObjectUri uri, string store, string endpoint, string what) =>
        new(ErrorCodes.ObjectStoreUnavailable, $"object URI '{uri}': the object store '{store}' at {endpoint} {what}");
}
