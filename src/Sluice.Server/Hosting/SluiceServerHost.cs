using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sluice.Backends.Local;
using Sluice.Backends.Slurm;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.Accounts;
using Sluice.Core.Model;
using Sluice.Core.ObjectStorage;
using Sluice.Core.Ports;
using Sluice.Core.Steps;
using Sluice.ObjectStores.S3;
using Sluice.Server.Api;
using Sluice.Server.Auth;
using Sluice.Server.Compat;
using Sluice.Server.Compat.S3;
using Sluice.Server.Console;
using Sluice.Storage.Postgres;
using Sluice.Storage.Sqlite;

namespace Sluice.Server.Hosting;

/// <summary>
/// Builds the embedded Sluice server: SQLite store, local backend (and the Slurm backend when
/// configured), scheduler and the /v1 API on Kestrel. <see cref="Build"/> chooses the adapters from its options and
/// lets each register itself (<c>AddSqliteStore</c>, <c>AddLocalBackend</c>, …) rather than constructing them. <c>sluice up</c>, <c>sluice quickstart</c>, the tests and the benchmarks all start it here.
/// </summary>
public static class SluiceServerHost
{
    public static WebApplication Build(SluiceServerOptions options, Action<IServiceCollection>? configureServices = null)
    {
        Directory.CreateDirectory(options.DataDirectory);
        // The content root defaults to the current directory, and configuration reload would watch it
        // recursively: run from a home directory, that is an inotify callback for every log file the
        // server writes under ~/.sluice. Sluice reads no files from its content root.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "Sluice.Server",
            ContentRootPath = AppContext.BaseDirectory,
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        builder.Logging.SetMinimumLevel(options.LogLevel);
        // ASP.NET Core logs four lines per request at Information: on `sluice up` that is a console write per
        // line under load, and it buries the server's own messages. Kept when debugging.
        builder.Logging.AddFilter("Microsoft.AspNetCore", options.LogLevel <= LogLevel.Debug ? options.LogLevel : LogLevel.Warning);
        builder.WebHost.UseUrls(options.Url);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, SluiceJsonContext.Default));
        builder.Services.Configure<SluiceOptions>(o =>
        {
            o.DataDirectory = options.DataDirectory;
            o.StepCancelGracePeriod = options.StepCancelGracePeriod;
            o.MaxNodeSessionsPerNode = options.MaxNodeSessionsPerNode;
            o.NodeSessionIdleTimeout = options.NodeSessionIdleTimeout;
            o.SpotPreemptionNotice = builder.Configuration.GetValue<TimeSpan?>("SpotPreemptionNotice") ?? options.SpotPreemptionNotice;
            o.SpotChaos = options.SpotChaos;
            builder.Configuration.GetSection("SpotChaos").Bind(o.SpotChaos);
            o.AllowUnisolatedAccounts = options.AllowUnisolatedAccounts || builder.Configuration.GetValue<bool>("AllowUnisolatedAccounts");
            foreach (var (name, launcher) in options.Applications)
            {
                o.Applications[name] = launcher;
            }
            foreach (var (id, image) in options.Images)
            {
                o.Images[id] = image;
            }
            builder.Configuration.GetSection("Sluice:Images").Bind(o.Images);
        });
        builder.Configuration.AddEnvironmentVariables("SLUICE_");
        var store = options.Store ?? builder.Configuration.GetSection("Store").Get<StoreSettings>() ?? new StoreSettings();
        AddStore(builder.Services, store, options.DataDirectory);
        BindObjectStorage(builder.Configuration, options);
        builder.Services.AddSingleton(Options.Create(options.ObjectStorage));
        builder.Services.AddSingleton(Options.Create(options.Logs));
        foreach (var s3 in options.S3Stores)
        {
            builder.Services.AddS3ObjectStore(s3);
        }
        builder.Services.AddLocalBackend(LocalBackendOptions(options));
        if (options.Slurm is { } slurm)
        {
            builder.Services.AddSlurmBackend(slurm);
        }
        builder.Services.AddSluiceCore();
        builder.Services.AddSingleton(new ApiSettings(ServerRegion(builder.Configuration, options), options.MaxRequestBodyBytes));
        builder.Services.AddSingleton<AccessKeyCache>();
        builder.Services.AddSingleton<ReplayGuard>();
        // The key is read, or created, before the server starts: a bad SLUICE_SECRETS_KEY fails the start, not a request.
        builder.Services.AddSingleton(SecretsKeyFile.Load(options.DataDirectory, options.SecretsKey ?? builder.Configuration["SECRETS_KEY"]));
        builder.Services.AddSingleton<SignatureAuthentication>();
        builder.Services.AddSingleton<ErrorHandling>();
        builder.Services.AddSingleton<CompatibilityDispatch>();
        builder.Services.AddSingleton<ICompatibilityApi, Compat.Bmr.BmrApi>();
        Compat.BatchCompute.BatchComputeServices.Add(builder.Services);
        builder.Services.AddS3Api();
        builder.Services.AddSingleton<ICompatibilityApi, Compat.Emr.EmrApi>();
        builder.Services.AddSingleton<LogReader>();
        builder.Services.AddSingleton(services => new ConsoleAssets(services.GetRequiredService<ApiSettings>().Region));
        builder.Services.AddHostedService<SchedulerHostedService>();
        builder.Services.AddOpenApi("v1", o =>
        {
            o.AddOperationTransformer<ApiOperationDocumentation>();
            o.AddDocumentTransformer<ApiOperationDocumentation>();
        });
        Telemetry.ServerTelemetry.Add(builder, options);
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        if (app.Services.GetService<IClusterCoordinator>() is { } coordinator)
        {
            var advertised = AdvertisedAddress(store);
            app.Lifetime.ApplicationStarted.Register(() => coordinator.Advertise(advertised ?? ListenAddress(BoundAddress(app))));
        }
        var errors = app.Services.GetRequiredService<ErrorHandling>();
        var authentication = app.Services.GetRequiredService<SignatureAuthentication>();
        app.UseWebSockets();
        app.Use(RequestIds.Middleware);
        app.Use(ApiResponseHeaders.Middleware);
        app.Use(app.Services.GetRequiredService<CompatibilityDispatch>().InvokeAsync);
        // After the compatibility doors, which claim only signed requests (an S3 bucket named metrics stays reachable).
        Telemetry.ServerTelemetry.UseMetricsEndpoint(app, options);
        app.Use(errors.InvokeAsync);
        app.Use(authentication.InvokeAsync);
        app.MapGet("/healthz", () => TypedResults.Text("ok")).ExcludeFromDescription();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapClusterApi();
        app.MapNodeSessionApi();
        app.MapJobApi();
        app.MapStepApi();
        app.MapImageApi();
        app.MapAccountApi();
        app.MapConsole();
        app.MapFallback((HttpContext context) => ApiErrors.WriteAsync(context, ErrorCodes.NotFound, $"no API operation at {context.Request.Method} {context.Request.Path}")).ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// The local backend's settings. A sandboxed task sees the .NET runtime but not this server's program directory (a
    /// built-in Hive or Pig step sees it without its configuration files), and never the data directory or the local
    /// object store, wherever they are.
    /// </summary>
    internal static LocalBackendOptions LocalBackendOptions(SluiceServerOptions options)
    {
        // The runtime's framework lives in <dotnet root>/shared/<framework>/<version>.
        var framework = Path.GetDirectoryName(typeof(object).Assembly.Location);
        var dotnetRoot = framework is null ? null : Path.GetFullPath(Path.Combine(framework, "..", "..", ".."));
        return new LocalBackendOptions
        {
            RootDirectory = Path.Combine(options.DataDirectory, "nodes"),
            // The key that opens every account's secrets is the server's, never a task's.
            RemovedEnvironmentVariables = [.. new LocalBackendOptions().RemovedEnvironmentVariables, "SLUICE_SECRETS_KEY"],
            Isolation = options.TaskIsolation,
            SandboxReadOnlyPaths = dotnetRoot is null ? [] : [Path.TrimEndingDirectorySeparator(dotnetRoot)],
            // Built-in Hive and Pig steps run the sluice program, so they see its directory, never its configuration files.
            SandboxHiddenPaths = [options.DataDirectory, .. options.ObjectStorage.LocalRoot is { } root ? [root] : Array.Empty<string>(),
                .. Directory.EnumerateFiles(AppContext.BaseDirectory, "appsettings*.json")],
            NodeAgentCommand = options.NodeAgent
                ? StreamingWorkerCommand.Resolve(new SluiceOptions()) ?? throw new ServiceException(ErrorCodes.InvalidParameter, "the node agent needs the sluice program next to the server's assemblies")
                : null,
        };
    }

    private static string ServerRegion(IConfiguration configuration, SluiceServerOptions options)
    {
        var region = configuration["Region"] is { Length: > 0 } configured ? configured : options.Region;
        // The region is one segment of the credential scope (key/date/region/service/aws4_request).
        if (string.IsNullOrWhiteSpace(region) || region.Length > 64 || region.Any(c => c is '/' or ',' or '=' || char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new ServiceException(ErrorCodes.InvalidParameter, $"Region '{region}' is not valid; use 1-64 characters without '/', ',', '=' or spaces, such as local or eu-west-1 (env SLUICE_Region)");
        }
        return region;
    }

    private static void AddStore(IServiceCollection services, StoreSettings store, string dataDirectory)
    {
        switch (store.Provider.ToLowerInvariant())
        {
            case "sqlite":
                services.AddSqliteStore(new SqliteStoreOptions { DatabasePath = Path.Combine(dataDirectory, "sluice.db") });
                break;
            case "postgres" or "postgresql":
                if (string.IsNullOrWhiteSpace(store.ConnectionString))
                {
                    throw new ServiceException(ErrorCodes.InvalidParameter,
                        "Store:Provider is postgres but Store:ConnectionString is empty; set it (env SLUICE_Store__ConnectionString), e.g. Host=127.0.0.1;Port=5432;Username=sluice;Password=…;Database=sluice");
                }
                services.AddPostgresStore(
                    new PostgresStoreOptions { ConnectionString = store.ConnectionString, Schema = store.Schema },
                    new CoordinatorOptions
                    {
                        ServerId = string.IsNullOrWhiteSpace(store.ServerId) ? ServerIdentity.Load(dataDirectory) : store.ServerId.Trim(),
                        LeaseTime = TimeSpan.FromSeconds(store.LeaseSeconds),
                        HeartbeatInterval = TimeSpan.FromSeconds(store.HeartbeatSeconds),
                    });
                break;
            default:
                throw new ServiceException(ErrorCodes.InvalidParameter, $"Store:Provider is '{store.Provider}'; use sqlite or postgres");
        }
    }

    /// <summary>
    /// Adds configuration (appsettings.json, environment such as <c>SLUICE_S3Stores__0__ServiceUrl</c> or
    /// <c>SLUICE_ObjectStorage__Schemes__s3</c>) to the object storage and log options the caller set.
    /// </summary>
    public static void BindObjectStorage(IConfiguration configuration, SluiceServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        configuration.GetSection("ObjectStorage").Bind(options.ObjectStorage);
        configuration.GetSection("S3Stores").Bind(options.S3Stores);
        configuration.GetSection("Logs").Bind(options.Logs);
    }

    /// <summary>
    /// The object stores the server with these options would use (the local store under the data directory,
    /// plus each S3 store) behind a resolver; <c>sluice fs</c> uses it to reach the same objects without a server.
    /// </summary>
    public static ObjectStoreResolver CreateObjectStoreResolver(SluiceServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var stores = new List<IObjectStore> { new LocalObjectStore(options.ObjectStorage.LocalRoot ?? Path.Combine(options.DataDirectory, "objects")) };
        stores.AddRange(options.S3Stores.Select(s3 => new S3ObjectStore(s3)));
        return new ObjectStoreResolver(stores, Options.Create(options.ObjectStorage));
    }

    private static Uri? AdvertisedAddress(StoreSettings store)
    {
        if (string.IsNullOrWhiteSpace(store.AdvertisedUrl))
        {
            return null;
        }
        if (!Uri.TryCreate(store.AdvertisedUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.PathAndQuery != "/")
        {
            throw new ServiceException(ErrorCodes.InvalidParameter,
                $"Store:AdvertisedUrl is '{store.AdvertisedUrl}'; set it (env SLUICE_Store__AdvertisedUrl) to the http(s) address other servers reach this one at, such as http://sluice-a.internal:8780");
        }
        return uri;
    }

    /// <summary>A wildcard listen address (0.0.0.0, [::]) is reached by the host name.</summary>
    private static Uri ListenAddress(Uri bound) =>
        bound.Host is "0.0.0.0" or "[::]" or "::" ? new UriBuilder(bound) { Host = System.Net.Dns.GetHostName() }.Uri : bound;

    /// <summary>The address the started server listens on (useful with port 0).</summary>
    public static Uri BoundAddress(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.First());
    }

    /// <summary>
    /// The first start of a data directory (or database) creates the admin account and its access key; later starts
    /// find them. Returns the key when one was created (its secret is shown only then), else null.
    /// </summary>
    public static async Task<AccessKey?> EnsureAccountAsync(WebApplication app, string accountName, CancellationToken cancellationToken)
    {
        var store = app.Services.GetRequiredService<IStore>();
        var accounts = await store.ListAccountsAsync(cancellationToken).ConfigureAwait(false);
        if (accounts.Count > 0)
        {
            return null;
        }
        var account = await app.Services.GetRequiredService<AccountService>().CreateAccountAsync(accountName, isAdmin: true, cancellationToken).ConfigureAwait(false);
        return await app.Services.GetRequiredService<AccessKeyService>().CreateAsync(account.Id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates another account (not the admin) with a key, as <c>POST /v1/accounts</c> does; tests use this to check isolation.</summary>
    public static async Task<AccessKey> CreateAccountAsync(WebApplication app, string accountName, CancellationToken cancellationToken)
    {
        var account = await app.Services.GetRequiredService<AccountService>().CreateAccountAsync(accountName, cancellationToken).ConfigureAwait(false);
        return await app.Services.GetRequiredService<AccessKeyService>().CreateAsync(account.Id, cancellationToken).ConfigureAwait(false);
    }

    internal static SluiceOptions CoreOptions(WebApplication app) => app.Services.GetRequiredService<IOptions<SluiceOptions>>().Value;
}
