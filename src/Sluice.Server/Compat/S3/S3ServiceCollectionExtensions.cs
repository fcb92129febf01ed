using Microsoft.Extensions.DependencyInjection;

namespace Sluice.Server.Compat.S3;

/// <summary>Registers the S3 API and its parts.</summary>
internal static class S3ServiceCollectionExtensions
{
    public static IServiceCollection AddS3Api(this IServiceCollection services)
    {
        services.AddSingleton<S3Authenticator>();
        services.AddSingleton<S3Buckets>();
        services.AddSingleton<S3Uploads>();
        services.AddSingleton<S3BucketOperations>();
        services.AddSingleton<S3ListOperations>();
        services.AddSingleton<S3ObjectOperations>();
        services.AddSingleton<S3MultipartOperations>();
        services.AddSingleton<ICompatibilityApi, S3Api>();
        return services;
    }
}
