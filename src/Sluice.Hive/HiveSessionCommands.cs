using System.Globalization;
using System.Text.RegularExpressions;

namespace Sluice.Hive;

/// <summary>SET, SHOW and DESCRIBE.</summary>
public sealed partial class HiveSession
{
    /// <summary>Settings that would make Hive give a different result, which the embedded engine cannot honour.</summary>
    private static readonly Dictionary<string, Func<string, string?>> Refused = new(StringComparer.Ordinal)
    {
        ["hive.mapred.mode"] = v => v.Equals("strict", StringComparison.OrdinalIgnoreCase) ? "strict mode (it refuses some queries)" : null,
        ["hive.exec.compress.output"] = v => v.Equals("true", StringComparison.OrdinalIgnoreCase) ? "compressed output" : null,
        ["hive.default.fileformat"] = v => v.Equals("textfile", StringComparison.OrdinalIgnoreCase) ? null : $"default file format {v}",
        ["hive.groupby.orderby.position.alias"] = v => v.Equals("true", StringComparison.OrdinalIgnoreCase) ? "positions in GROUP BY and ORDER BY" : null,
        ["hive.support.quoted.identifiers"] = v => v.Equals("column", StringComparison.OrdinalIgnoreCase) ? null : $"hive.support.quoted.identifiers={v}",
    };

    private async Task SetAsync(SetStatement set)
    {
        if (set.Key is null)
        {
            foreach (var (key, value) in _options.HiveConf.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                await _stdout.WriteLineAsync($"{key}={value}").ConfigureAwait(false);
            }
            return;
        }
        var name = set.Key.StartsWith("hiveconf:", StringComparison.Ordinal) ? set.Key["hiveconf:".Length..] : set.Key;
        if (set.Value is null)
        {
            await _stdout.WriteLineAsync(_options.HiveConf.TryGetValue(name, out var current) ? $"{name}={current}" : $"{name} is undefined").ConfigureAwait(false);
            return;
        }
        if (name.StartsWith("hivevar:", StringComparison.Ordinal))
        {
            _options.HiveVars[name["hivevar:".Length..]] = set.Value;
            return;
        }
        if (Refused.TryGetValue(name, out var check) && check(set.Value) is { } what)
        {
            throw HiveException.Unsupported($"SET {name}={set.Value} ({what})", set.At);
        }
        _options.HiveConf[name] = set.Value;
    }

    private async Task<int> ShowTablesAsync(ShowTables show)
    {
        // SHOW TABLES 'pat': * is any run of characters, | separates alternatives, as in Hive.
        var pattern = show.Pattern is null ? null : new Regex("^(?:" + string.Join('|', show.Pattern.Split('|').Select(p => Regex.Escape(p.Trim()).Replace("\\*", ".*", StringComparison.Ordinal))) + ")$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        var rows = 0;
        foreach (var table in _metastore.Tables.Where(t => pattern?.IsMatch(t.Name) ?? true))
        {
            await _stdout.WriteLineAsync(table.Name).ConfigureAwait(false);
            rows++;
        }
        return rows;
    }

    private async Task<int> ShowPartitionsAsync(ShowPartitions show)
    {
        var table = RequireTable(show.Table, show.At);
        if (table.PartitionColumns.Count == 0)
        {
            throw new HiveException("Execution Error", $"return code 1 from org.apache.hadoop.hive.ql.exec.DDLTask. Table {table.Name} is not a partitioned table");
        }
        var lines = table.Partitions.Select(p => string.Join('/', table.PartitionColumns.Select((c, i) => $"{c.Name}={EscapePartitionValue(p.Values[i])}"))).Order(StringComparer.Ordinal).ToList();
        foreach (var line in lines)
        {
            await _stdout.WriteLineAsync(line).ConfigureAwait(false);
        }
        return lines.Count;
    }

    /// <summary>DESCRIBE: name, type and comment per column, padded to 20 as Hive's CLI pads them; partition columns again under their heading.</summary>
    private async Task<int> DescribeAsync(DescribeTable describe)
    {
        var table = RequireTable(describe.Name, describe.At);
        static string Row(string name, string type, string? comment) =>
            $"{name,-20}\t{type,-20}\t{comment ?? "None"}";
        var rows = 0;
        foreach (var column in table.Columns.Concat(table.PartitionColumns))
        {
            await _stdout.WriteLineAsync(Row(column.Name, column.Type, column.Comment)).ConfigureAwait(false);
            rows++;
        }
        if (table.PartitionColumns.Count > 0)
        {
            await _stdout.WriteLineAsync("\t \t ").ConfigureAwait(false);
            await _stdout.WriteLineAsync("# Partition Information\t \t ").ConfigureAwait(false);
            await _stdout.WriteLineAsync(Row("# col_name", "data_type", "comment")).ConfigureAwait(false);
            await _stdout.WriteLineAsync("\t \t ").ConfigureAwait(false);
            foreach (var column in table.PartitionColumns)
            {
                await _stdout.WriteLineAsync(Row(column.Name, column.Type, column.Comment)).ConfigureAwait(false);
            }
        }
        if (describe.Extended)
        {
            await _stdout.WriteLineAsync("\t \t ").ConfigureAwait(false);
            await _stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Detailed Table Information\tTable(tableName:{table.Name}, dbName:default, location:{table.Location}, tableType:{(table.External ? "EXTERNAL_TABLE" : "MANAGED_TABLE")}, storedAs:{table.StoredAs})\t ")).ConfigureAwait(false);
        }
        return rows;
    }
}
