using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Server.Auth;

namespace Sluice.Server.Api;

/// <summary>/v1/images: the server's image catalog, what a cluster's <c>imageId</c> may name.</summary>
internal static class ImageEndpoints
{
    public static IEndpointRouteBuilder MapImageApi(this IEndpointRouteBuilder app)
    {
        // Catalog entries have no history: they are as old as the server that read them.
        var loadedAt = app.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
        app.MapGroup("/v1/images").WithTags("Images").WithMetadata(SignedApi.Instance).MapGet("/", (ImageCatalog images) =>
        {
            var items = images.Images.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => new ImageInfo
            {
                Id = i.Key,
                Description = i.Value.Description,
                IsDefault = i.Key == ImageCatalog.DefaultImageId,
                Environment = new Dictionary<string, string>(i.Value.Environment),
                CreatedAt = loadedAt,
            }).ToList();
            return TypedResults.Json(new ListResponse<ImageInfo> { Items = items }, SluiceJsonContext.Default.ListResponseImageInfo);
        }).WithName("ListImages").WithSummary("List the server's images (one page: the whole catalog)").Produces<ListResponse<ImageInfo>>();
        return app;
    }
}
