using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Sluice.Core.Accounts;
using Sluice.Core.Clusters;
using Microsoft.Extensions.Options;
using Sluice.Core.Jobs;
using Sluice.Core.Logs;
using Sluice.Core.Packages;
using Sluice.Core.ObjectStorage;
using Sluice.Core.Ports;
using Sluice.Core.Scheduling;
using Sluice.Core.Steps;
using Sluice.Streaming;

namespace Sluice.Core;

public static class SluiceCoreServiceCollectionExtensions
{
    /// <summary>Registers the core services. A store (IStore) and at least one compute backend must be registered too.</summary>
    public static IServiceCollection AddSluiceCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IIdGenerator, TimeOrderedIdGenerator>();
        services.AddSingleton<InstanceTypeCatalog>();
        services.AddSingleton<ImageCatalog>();
        services.AddSingleton<LogPaths>();
        services.AddSingleton<ClusterRequestValidator>();
        services.AddSingleton<JobRequestValidator>();
        services.AddSingleton<PackageCache>();
        services.AddSingleton<BucketOwnership>();
        services.AddSingleton<IStreamingStore, ObjectStreamingStore>();
        services.AddSingleton<Mounts.MountManager>();
        services.AddSingleton<LogShipper>();
        services.AddSingleton<IInstanceLifecycleObserver>(sp => sp.GetRequiredService<LogShipper>());
        services.AddSingleton<ApplicationCatalog>();
        services.AddSingleton<LocalStepFileResolver>();
        services.TryAddSingleton<IStepFileResolver, ObjectStepFileResolver>();
        services.AddSingleton<StepRequestValidator>();
        services.AddSingleton<StepCommandBuilder>();
        services.AddSingleton<StepService>();
        services.TryAddSingleton<Telemetry.CoreMetrics>();
        services.AddSingleton<Scheduler>();
        // With several servers on one database the coordinator carries commands through the shared store; alone, they go in-process.
        services.AddSingleton<ICommandBus>(sp => (ICommandBus?)sp.GetService<IClusterCoordinator>() ?? new InProcessCommandBus(sp.GetRequiredService<Scheduler>(), sp.GetRequiredService<IStore>()));
        services.AddSingleton<ClusterService>();
        services.AddSingleton<NodeSessionService>();
        services.AddSingleton<JobService>();
        services.TryAddSingleton<ITenantIsolation, BackendTenantIsolation>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<AccessKeyService>();
        services.AddSluiceObjectStorage();
        return services;
    }

    /// <summary>
    /// Registers the local directory object store (root from <see cref="ObjectStorageOptions.LocalRoot"/>, default
    /// <c>DataDirectory/objects</c>) and the <see cref="ObjectStoreResolver"/>. Other stores register more <see cref="IObjectStore"/>s.
    /// </summary>
    public static IServiceCollection AddSluiceObjectStorage(this IServiceCollection services)
    {
        services.AddOptions<ObjectStorageOptions>();
        services.AddSingleton<IObjectStore>(sp => new LocalObjectStore(
            sp.GetRequiredService<IOptions<ObjectStorageOptions>>().Value.LocalRoot
            ?? Path.Combine(sp.GetRequiredService<IOptions<SluiceOptions>>().Value.DataDirectory, "objects")));
        services.TryAddSingleton<ObjectStoreResolver>();
        return services;
    }
}
