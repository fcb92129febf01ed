using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sluice.Core.Ports;

namespace Sluice.Backends.Slurm;

public static class SlurmBackendServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Slurm backend as an <see cref="IComputeBackend"/>: clusters created with <c>backend: slurm</c> run on
    /// the Slurm cluster the options point at (docs/slurm.md). It takes the registered <see cref="TimeProvider"/> and logging when there are.
    /// </summary>
    /// <param name="services">The services of the host.</param>
    /// <param name="options">The backend's settings; <see cref="SlurmBackendOptions.WorkDirectory"/> is required.</param>
    public static IServiceCollection AddSlurmBackend(this IServiceCollection services, SlurmBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton<IComputeBackend>(sp => new SlurmBackend(options, sp.GetService<TimeProvider>(), sp.GetService<ILogger<SlurmBackend>>()));
        return services;
    }
}
