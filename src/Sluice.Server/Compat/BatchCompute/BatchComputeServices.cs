using Microsoft.Extensions.DependencyInjection;

namespace Sluice.Server.Compat.BatchCompute;

/// <summary>Registers the BatchCompute API and its parts (one line in the host).</summary>
internal static class BatchComputeServices
{
    public static void Add(IServiceCollection services)
    {
        services.AddSingleton<AcsAuthenticator>();
        services.AddSingleton<ClusterCalls>();
        services.AddSingleton<JobCalls>();
        services.AddSingleton<ImageCalls>();
        services.AddSingleton<ICompatibilityApi, BatchComputeApi>();
    }
}
