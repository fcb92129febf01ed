using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sluice.Core.Ports;

namespace Sluice.Storage.Postgres;

public static class PostgresStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers the PostgreSQL store as the <see cref="IStore"/> and the <see cref="PostgresCoordinator"/> as the
    /// <see cref="IClusterCoordinator"/>: servers on one database share its clusters (docs/postgres.md).
    /// </summary>
    /// <param name="services">The services of the host; a <see cref="TimeProvider"/> and logging must be registered too.</param>
    /// <param name="store">The store's settings; <see cref="PostgresStoreOptions.ConnectionString"/> is required.</param>
    /// <param name="coordinator">This server's id and lease timing among the servers sharing the database.</param>
    public static IServiceCollection AddPostgresStore(this IServiceCollection services, PostgresStoreOptions store, CoordinatorOptions coordinator)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(coordinator);
        services.AddSingleton(sp => new PostgresStore(store, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PostgresStore>>(), sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton<IStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<IClusterCoordinator>(sp => new PostgresCoordinator(sp.GetRequiredService<PostgresStore>(), coordinator,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PostgresCoordinator>>()));
        return services;
    }
}
