using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Sluice.Contracts;
using Sluice.Core;

namespace Sluice.Server.Compat.BatchCompute;

/// <summary>
/// BatchCompute's <c>list_images</c> and <c>get_image</c>, answered from the server's <see cref="ImageCatalog"/>: every
/// account sees the same catalog, as BatchCompute's System images (Type System, OwnerId 0). Images are configured on
/// the server, so create_image and delete_image stay refused.
/// </summary>
internal sealed class ImageCalls(ImageCatalog images, TimeProvider time)
{
    // Catalog entries have no history: they are as old as the server that read them.
    private readonly DateTimeOffset _loadedAt = time.GetUtcNow();

    /// <summary><c>GET /images?Marker&amp;MaxItemCount=</c> → <c>{Items, NextMarker}</c>, in id order.</summary>
    public Task ListAsync(HttpContext context)
    {
        var (after, limit) = BatchComputePaging.Read(context.Request);
        var ids = images.Images.Keys.Where(id => after is null || string.CompareOrdinal(id, after) > 0).Order(StringComparer.Ordinal).Take(limit + 1).ToList();
        var more = ids.Count > limit;
        return BatchComputeResponses.JsonAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("Items");
            foreach (var id in ids.Take(limit))
            {
                Write(json, id, images.Images[id]);
            }
            json.WriteEndArray();
            BatchComputePaging.WriteNextMarker(json, more ? ids[limit - 1] : null);
            json.WriteEndObject();
        });
    }

    /// <summary><c>GET /images/{id}</c> → Image; an id the catalog lacks is 404 NotFound.</summary>
    public Task GetAsync(HttpContext context, string imageId)
    {
        var image = images.Images.GetValueOrDefault(imageId)
            ?? throw new ServiceException(ErrorCodes.NotFound, $"image '{imageId}' is not in the server's image catalog; list_images shows the ones there are");
        return BatchComputeResponses.JsonAsync(context, StatusCodes.Status200OK, json => Write(json, imageId, image));
    }

    private void Write(Utf8JsonWriter json, string id, ImageSpec image)
    {
        json.WriteStartObject();
        json.WriteString("Id", id);
        json.WriteString("Name", id);
        json.WriteString("Description", image.Description);
        json.WriteString("Platform", "Linux");
        json.WriteString("EcsImageId", "");
        json.WriteNumber("OwnerId", 0);
        json.WriteString("Type", "System");
        json.WriteTime("CreationTime", _loadedAt);
        json.WriteEndObject();
    }
}
