namespace Sluice.Hive;

/// <summary>What a Hive session runs with.</summary>
public sealed class HiveOptions
{
    /// <summary>Values of <c>${hivevar:K}</c> and <c>${K}</c> (from <c>--hivevar</c>, <c>-d</c>, <c>--define</c>).</summary>
    public Dictionary<string, string> HiveVars { get; } = new(StringComparer.Ordinal);

    /// <summary>Settings (from <c>--hiveconf</c> and <c>SET</c>), also <c>${hiveconf:K}</c>.</summary>
    public Dictionary<string, string> HiveConf { get; } = new(StringComparer.Ordinal);

    /// <summary>The metastore's directory (a cluster's <c>hive/</c> folder for steps); required.</summary>
    public string MetastoreDirectory { get; set; } = "";

    /// <summary>The storage of object-URI locations.</summary>
    public HiveStorage? Storage { get; set; }

    /// <summary>DuckDB's memory limit (e.g. <c>2GB</c>); null: DuckDB's default (80% of RAM).</summary>
    public string? MemoryLimit { get; set; }

    /// <summary>DuckDB's threads; null: one per core.</summary>
    public int? Threads { get; set; }

    /// <summary>Where DuckDB spills; null: a folder under the metastore directory.</summary>
    public string? TemporaryDirectory { get; set; }
}
