using Sluice.Backends.Slurm;
using Sluice.Core;

namespace Sluice.Server.Hosting;

/// <summary>How an embedded Sluice server runs.</summary>
public sealed class SluiceServerOptions
{
    /// <summary>Root of the server's files: sluice.db, logs/, nodes/. Default ~/.sluice/data.</summary>
    public string DataDirectory { get; set; } = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".sluice", "data");

    /// <summary>The URL Kestrel listens on. Default http://127.0.0.1:8780; port 0 picks a free port.</summary>
    public string Url { get; set; } = "http://127.0.0.1:8780";

    /// <summary>
    /// The region of the SigV4 credential scope requests must be signed for (403 InvalidRegion otherwise); configuration
    /// key <c>Region</c> (environment <c>SLUICE_Region</c>) overrides it. Default <c>local</c>, the SDK's default.
    /// </summary>
    public string Region { get; set; } = "local";

    /// <summary>Largest request body accepted (413 RequestTooLarge beyond). Default 64 MiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 64L << 20;

    /// <summary>The store; null reads configuration section <c>Store</c> (environment <c>SLUICE_Store__*</c>), whose default is SQLite in the data directory.</summary>
    public StoreSettings? Store { get; set; }

    /// <summary>Minimum log level of the server's console log. Default Information.</summary>
    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; set; } = Microsoft.Extensions.Logging.LogLevel.Information;

    /// <summary>Which object store serves which URIs; default: every scheme on the local store under DataDirectory/objects.</summary>
    public Sluice.Core.ObjectStorage.ObjectStorageOptions ObjectStorage { get; set; } = new();

    /// <summary>S3-compatible endpoints, each a store that <see cref="ObjectStorage"/> mappings can name. Default none.</summary>
    public List<Sluice.ObjectStores.S3.S3ObjectStoreOptions> S3Stores { get; set; } = [];

    /// <summary>How instance logs are copied to object storage and kept locally.</summary>
    public Sluice.Core.Logs.LogShippingOptions Logs { get; set; } = new();

    /// <summary>
    /// When set, clusters created with <c>backend: slurm</c> run on this Slurm cluster (see docs/slurm.md);
    /// the local backend stays the default. Default null: no Slurm backend.
    /// </summary>
    public SlurmBackendOptions? Slurm { get; set; }

    /// <summary>
    /// Application launchers by name (<c>hive</c>) or name and version (<c>hive:3.1.3</c>), on top of the programs found
    /// on PATH (hadoop, hive, pig, hbase, spark-submit). A cluster may declare only applications that have one.
    /// </summary>
    public Dictionary<string, Core.ApplicationLauncher> Applications { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Images clusters may name, added to the built-in catalog (also configuration <c>Sluice:Images:&lt;id&gt;:Description</c> and <c>…:Environment:&lt;NAME&gt;</c>).</summary>
    public Dictionary<string, Core.ImageSpec> Images { get; init; } = new(StringComparer.Ordinal);

    /// <summary>
    /// How the local backend keeps tasks apart: <see cref="Sluice.Backends.Local.TaskIsolationMode.None"/> (default; one
    /// account) or <see cref="Sluice.Backends.Local.TaskIsolationMode.Sandbox"/> (bubblewrap; see docs/security.md).
    /// </summary>
    public Sluice.Backends.Local.TaskIsolationMode TaskIsolation { get; set; } = Sluice.Backends.Local.TaskIsolationMode.None;

    /// <summary>
    /// The secrets key that seals access-key secrets in the database: the base64 of 32 random bytes. Null reads the
    /// environment variable <c>SLUICE_SECRETS_KEY</c>, else <c>keys/secrets.key</c> in the data directory (created at the first
    /// start, mode 0600). Every server on one PostgreSQL database must use the same key. Default null.
    /// </summary>
    public string? SecretsKey { get; set; }

    /// <summary>
    /// Lets the admin create more accounts although a compute backend does not isolate their tasks (see
    /// <see cref="TaskIsolation"/>): each account's tasks can then read the others' files and the server's. For a trusted
    /// group sharing one server, and for tests of the accounts API. Default false: such a server hosts one account
    /// (409 SingleTenantServer).
    /// </summary>
    public bool AllowUnisolatedAccounts { get; set; }

    /// <summary>
    /// Whether the local backend runs tasks through a node agent (a process of their own that outlives the server), so that
    /// a crashed or stopped server's running work goes on and is adopted when it starts again (docs/architecture.md,
    /// "Running work across a crash"). Default false here; <c>sluice up</c> turns it on.
    /// </summary>
    public bool NodeAgent { get; set; }

    /// <summary>How many shells and commands (<c>sluice node shell</c>, <c>node exec</c>) may be open on one node at once (429 TooManyNodeSessions beyond). Default 4.</summary>
    public int MaxNodeSessionsPerNode { get; set; } = 4;

    /// <summary>A node shell or command with no input or output for this long is closed and its processes killed. Default 30 minutes.</summary>
    public TimeSpan NodeSessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Whether <c>GET /metrics</c> answers with the server's metrics in Prometheus text format, to loopback callers only
    /// (others get 404; see docs/observability.md). Default true.
    /// </summary>
    public bool PrometheusMetrics { get; set; } = true;

    /// <summary>
    /// The base address of an OTLP receiver (such as <c>http://127.0.0.1:4318</c>) that gets the server's traces and metrics.
    /// Null reads the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>; unset there too, nothing is exported. Default null.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>The OTLP protocol: <c>http/protobuf</c> or <c>grpc</c>. Null reads <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, else http/protobuf. Default null.</summary>
    public string? OtlpProtocol { get; set; }

    /// <summary>How long a cancelled running step gets between the interrupt and the kill. Default 10 s.</summary>
    public TimeSpan StepCancelGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a preempted Spot node's instances get between SIGTERM and the kill when the preempt call gives no notice.
    /// Default 30 s; configuration <c>SLUICE_SpotPreemptionNotice</c> (e.g. <c>00:00:10</c>) overrides it.
    /// </summary>
    public TimeSpan SpotPreemptionNotice { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Random preemption of Spot nodes for chaos testing; off by default. Configuration <c>SLUICE_SpotChaos__PreemptionsPerNodeHour</c>,
    /// <c>SLUICE_SpotChaos__CheckInterval</c> and <c>SLUICE_SpotChaos__Seed</c> override it.
    /// </summary>
    public SpotChaosOptions SpotChaos { get; set; } = new();
}
