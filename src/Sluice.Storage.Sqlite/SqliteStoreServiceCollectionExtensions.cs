using Microsoft.Extensions.DependencyInjection;
using Sluice.Core.Ports;

namespace Sluice.Storage.Sqlite;

public static class SqliteStoreServiceCollectionExtensions
{
    /// <summary>Registers the embedded SQLite store as the <see cref="IStore"/>.</summary>
    /// <param name="services">The services of the host.</param>
    /// <param name="options">The store's settings; <see cref="SqliteStoreOptions.DatabasePath"/> is required.</param>
    public static IServiceCollection AddSqliteStore(this IServiceCollection services, SqliteStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton<IStore>(sp => new SqliteStore(options, meterFactory: sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        return services;
    }
}
