using Microsoft.Extensions.DependencyInjection;
using Sluice.Core.Ports;

namespace Sluice.Backends.Local;

public static class LocalBackendServiceCollectionExtensions
{
    /// <summary>Registers the local backend (nodes as slot pools on this machine) as an <see cref="IComputeBackend"/>.</summary>
    /// <param name="services">The services of the host.</param>
    /// <param name="options">The backend's settings; <see cref="LocalBackendOptions.RootDirectory"/> is required.</param>
    public static IServiceCollection AddLocalBackend(this IServiceCollection services, LocalBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton<IComputeBackend>(provider => options.NodeAgentCommand is { Count: > 0 }
            ? new Agent.NodeAgentBackend(options, provider.GetService<Microsoft.Extensions.Logging.ILogger<Agent.NodeAgentBackend>>())
            : new LocalBackend(options));
        return services;
    }
}
