namespace Sluice.Hive;

/// <summary>
/// For the server, before a step's script runs on a node: the object URIs the script may read or write (table
/// LOCATIONs, LOAD DATA paths, INSERT … DIRECTORY targets, and the locations of the metastore's tables it names).
/// The server checks each against the caller's buckets and stages them; the process itself holds no store credentials.
/// </summary>
public static class HiveStaging
{
    /// <summary>The object URIs of the script, canonical, without duplicates; a statement that does not parse is skipped (the run reports it).</summary>
    public static IReadOnlyList<string> ObjectLocations(string script, IReadOnlyDictionary<string, string> hiveVars, IReadOnlyDictionary<string, string> hiveConf, string metastoreDirectory)
    {
        ArgumentNullException.ThrowIfNull(script);
        var known = Metastore.Peek(metastoreDirectory).Tables;
        var created = new Dictionary<string, TableInfo>(StringComparer.Ordinal);
        var conf = new Dictionary<string, string>(hiveConf, StringComparer.Ordinal);
        var vars = new Dictionary<string, string>(hiveVars, StringComparer.Ordinal);
        var uris = new List<string>();
        void Add(string? location)
        {
            if (location is not null && HiveStorage.IsObjectUri(location) && !uris.Contains(HiveStorage.Canonical(location)))
            {
                uris.Add(HiveStorage.Canonical(location));
            }
        }
        void Table(string name)
        {
            if ((created.GetValueOrDefault(name) ?? known.GetValueOrDefault(name)) is { } table)
            {
                Add(table.Location);
                foreach (var partition in table.Partitions)
                {
                    Add(partition.Location);
                }
            }
        }
        void Visit(Statement statement)
        {
            switch (statement)
            {
                case CreateTable create:
                    Add(create.Location);
                    created[create.Name] = new TableInfo { Name = create.Name, Location = create.Location ?? "" };
                    if (create.Like is { } like)
                    {
                        Table(like);
                    }
                    break;
                case LoadData load:
                    Add(load.Path);
                    Table(load.Table);
                    break;
                case InsertDirectory directory:
                    Add(directory.Path);
                    break;
                case InsertTable insert:
                    Table(insert.Table);
                    break;
                case MultiInsert multi:
                    multi.Inserts.ToList().ForEach(Visit);
                    break;
                case DropTable drop:
                    Table(drop.Name);
                    break;
                case AddPartition add:
                    Table(add.Table);
                    foreach (var (_, location) in add.Partitions)
                    {
                        Add(location);
                    }
                    break;
                case SetStatement { Key: { } key, Value: { } value }:
                    if (key.StartsWith("hivevar:", StringComparison.Ordinal))
                    {
                        vars[key["hivevar:".Length..]] = value;
                    }
                    else
                    {
                        conf[key] = value;
                    }
                    break;
            }
            foreach (var query in Queries(statement))
            {
                foreach (var name in query.Tables)
                {
                    Table(name);
                }
            }
        }
        foreach (var (text, line, column) in Script.Split(script))
        {
            Statement statement;
            try
            {
                statement = Parser.Parse(Script.Substitute(text, vars, conf), line, column, _ => null);
            }
            catch (HiveException)
            {
                continue;
            }
            Visit(statement);
        }
        return uris;
    }

    private static IEnumerable<Query> Queries(Statement statement) => statement switch
    {
        SelectStatement s => [s.Query],
        InsertTable i => [i.Query],
        InsertDirectory d => [d.Query],
        CreateTable { AsSelect: { } q } => [q],
        MultiInsert m => m.Inserts.SelectMany(Queries),
        _ => [],
    };
}
