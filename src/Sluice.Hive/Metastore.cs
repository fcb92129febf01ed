using System.Text.Json;
using System.Text.Json.Serialization;
using Sluice.Streaming;

namespace Sluice.Hive;

/// <summary>A table of the metastore.</summary>
internal sealed class TableInfo
{
    public string Name { get; set; } = "";
    public List<HiveColumn> Columns { get; set; } = [];
    public List<HiveColumn> PartitionColumns { get; set; } = [];
    public bool External { get; set; }
    public string Location { get; set; } = "";
    public RowFormat Format { get; set; } = RowFormat.Default;
    public string StoredAs { get; set; } = "textfile";
    public List<PartitionInfo> Partitions { get; set; } = [];
}

/// <summary>A static partition: its values in partition-column order and its folder.</summary>
internal sealed class PartitionInfo
{
    public List<string> Values { get; set; } = [];
    public string Location { get; set; } = "";
}

/// <summary>The metastore's file.</summary>
internal sealed class MetastoreFile
{
    public Dictionary<string, TableInfo> Tables { get; set; } = new(StringComparer.Ordinal);
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(MetastoreFile))]
internal sealed partial class MetastoreJsonContext : JsonSerializerContext;

/// <summary>
/// The tables of one cluster (or of one local directory for <c>sluice hive</c>): <c>metastore.json</c> in its
/// directory, managed tables' data under <c>warehouse/&lt;table&gt;</c> beside it. A script holds <c>metastore.lock</c>
/// while it runs, so two steps of a cluster never interleave their table changes.
/// </summary>
internal sealed class Metastore : IDisposable
{
    private readonly string _file;
    private readonly FileStream _lock;
    private readonly MetastoreFile _data;

    private Metastore(string directory, FileStream lockFile)
    {
        Directory = directory;
        _file = Path.Combine(directory, "metastore.json");
        _lock = lockFile;
        _data = Read(_file);
        _data.Tables = new Dictionary<string, TableInfo>(_data.Tables, StringComparer.Ordinal);
    }

    /// <summary>The metastore's directory.</summary>
    public string Directory { get; }

    /// <summary>Where a managed table's data goes.</summary>
    public string Warehouse(string table) => Path.Combine(Directory, "warehouse", table);

    /// <summary>Opens (creating) the metastore in <paramref name="directory"/>, waiting for another script that holds it.</summary>
    public static async Task<Metastore> OpenAsync(string directory, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(directory);
        while (true)
        {
            try
            {
                var lockFile = new FileStream(Path.Combine(directory, "metastore.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                return new Metastore(directory, lockFile);
            }
            catch (IOException)
            {
                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Reads the metastore without holding its lock (for the server, which plans a step's staging).</summary>
    /// <exception cref="UnsafeFileException">metastore.json is a link (the server reads what a sandboxed step wrote).</exception>
    public static MetastoreFile Peek(string directory) => Read(Path.Combine(directory, "metastore.json"));

    private static MetastoreFile Read(string file) =>
        NoFollowFiles.ReadAllText(file) is { } json ? JsonSerializer.Deserialize(json, MetastoreJsonContext.Default.MetastoreFile) ?? new MetastoreFile() : new MetastoreFile();

    public TableInfo? Find(string name) => _data.Tables.GetValueOrDefault(name);

    public IEnumerable<TableInfo> Tables => _data.Tables.Values.OrderBy(t => t.Name, StringComparer.Ordinal);

    public void Put(TableInfo table)
    {
        _data.Tables[table.Name] = table;
        Save();
    }

    public void Remove(string name)
    {
        _data.Tables.Remove(name);
        Save();
    }

    /// <summary>Writes the file whole through a temporary and a rename: a crash leaves the old or the new one.</summary>
    public void Save()
    {
        var temporary = _file + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(_data, MetastoreJsonContext.Default.MetastoreFile));
        File.Move(temporary, _file, overwrite: true);
    }

    public void Dispose() => _lock.Dispose();
}
