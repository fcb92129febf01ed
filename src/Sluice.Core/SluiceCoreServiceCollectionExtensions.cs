using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Sluice.Core.Accounts;
using Sluice.Core.Clusters;
using Sluice.Core.Jobs;
using Sluice.Core.Scheduling;
using Sluice.Core.Steps;

namespace Sluice.Core;

public static class SluiceCoreServiceCollectionExtensions
{
    /// <summary>Registers the core services. A store (IStore) and at least one compute backend must be registered too.</summary>
    public static IServiceCollection AddSluiceCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IIdGenerator, TimeOrderedIdGenerator>();
        services.AddSingleton<InstanceTypeCatalog>();
        services.AddSingleton<LogPaths>();
        services.AddSingleton<ClusterRequestValidator>();
        services.AddSingleton<JobRequestValidator>();
        services.AddSingleton<ApplicationCatalog>();
        services.TryAddSingleton<IStepFileResolver, LocalStepFileResolver>();
        services.AddSingleton<StepRequestValidator>();
        services.AddSingleton<StepCommandBuilder>();
        services.AddSingleton<StepService>();
        services.AddSingleton<Scheduler>();
        services.AddSingleton<ClusterService>();
        services.AddSingleton<JobService>();
        services.AddSingleton<AccountService>();
        return services;
    }
}
