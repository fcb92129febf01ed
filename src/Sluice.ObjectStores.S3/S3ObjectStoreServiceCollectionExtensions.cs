using Microsoft.Extensions.DependencyInjection;
using Sluice.Core.Ports;

namespace Sluice.ObjectStores.S3;

public static class S3ObjectStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers an S3-compatible endpoint as one more <see cref="IObjectStore"/>; object storage mappings name it by
    /// <see cref="S3ObjectStoreOptions.Name"/>. Call once per endpoint.
    /// </summary>
    /// <param name="services">The services of the host.</param>
    /// <param name="options">The endpoint's settings; <see cref="S3ObjectStoreOptions.Name"/> is required.</param>
    public static IServiceCollection AddS3ObjectStore(this IServiceCollection services, S3ObjectStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton<IObjectStore>(_ => new S3ObjectStore(options));
        return services;
    }
}
