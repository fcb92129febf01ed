using System.Diagnostics;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Sluice.Hive;

namespace Sluice.Bench.Hive;

/// <summary>
/// A HiveQL group-by + join over Ctrl-A delimited text (facts ⋈ dimension, grouped by the dimension's name) on Sluice's
/// embedded engine, against the same SQL run directly by DuckDB over the same files, in the same run. The facts' size
/// is <c>SLUICE_BENCH_HIVE_MIB</c> (default 1024; 64 with --quick).
/// </summary>
internal sealed class HiveBenchmark : IBenchmark
{
    private const int Keys = 10_000;

    public string Name => "hive";

    public string Description => "HiveQL group-by + join over delimited text vs the same SQL run directly by DuckDB (SLUICE_BENCH_HIVE_MIB, default 1024)";

    public async Task RunAsync(BenchReport report, BenchOptions options, CancellationToken cancellationToken)
    {
        var mib = int.TryParse(Environment.GetEnvironmentVariable("SLUICE_BENCH_HIVE_MIB"), NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size > 0
            ? size
            : options.Quick ? 64 : 1024;
        var dir = options.WorkDirectory;
        var facts = Path.Combine(dir, "facts");
        var dims = Path.Combine(dir, "dims");
        Directory.CreateDirectory(facts);
        Directory.CreateDirectory(dims);
        var rows = WriteFacts(Path.Combine(facts, "part-00000"), (long)mib << 20);
        WriteDims(Path.Combine(dims, "part-00000"));
        report.Note($"facts: {mib} MiB, {rows} rows; {Keys} dimension rows; {Environment.ProcessorCount} cores");

        // Both sides share DuckDB's native library and the page cache: warm them once on a small sample, then run each twice,
        // in alternating order, and take the better run of each.
        var sampleFacts = Path.Combine(dir, "sample");
        Directory.CreateDirectory(sampleFacts);
        WriteFacts(Path.Combine(sampleFacts, "part-00000"), 1 << 20);
        await RunHiveAsync(sampleFacts, dims, Path.Combine(dir, "warm-hive"), Path.Combine(dir, "warm-metastore"), cancellationToken);
        await RunDuckDbAsync(sampleFacts, dims, Path.Combine(dir, "warm-duck.txt"), cancellationToken);
        var hiveOut = Path.Combine(dir, "hive-out");
        var duckOut = Path.Combine(dir, "duck-out.txt");
        var duck = await TimeAsync(() => RunDuckDbAsync(facts, dims, duckOut, cancellationToken));
        var hive = await TimeAsync(() => RunHiveAsync(facts, dims, hiveOut, Path.Combine(dir, "metastore"), cancellationToken));
        var hiveAgain = await TimeAsync(() => RunHiveAsync(facts, dims, hiveOut, Path.Combine(dir, "metastore-2"), cancellationToken));
        var duckAgain = await TimeAsync(() => RunDuckDbAsync(facts, dims, duckOut, cancellationToken));
        report.Note($"hive seconds {hive:0.000} {hiveAgain:0.000}; duckdb seconds {duck:0.000} {duckAgain:0.000}");
        hive = Math.Min(hive, hiveAgain);
        duck = Math.Min(duck, duckAgain);

        var hiveLines = File.ReadAllLines(Path.Combine(hiveOut, "000000_0"));
        var duckLines = File.ReadAllLines(duckOut);
        if (hiveLines.Length != duckLines.Length || !hiveLines.Select(l => l.Split('\u0001')[1]).SequenceEqual(duckLines.Select(l => l.Split('\u0001')[1]), StringComparer.Ordinal))
        {
            throw new InvalidOperationException($"the Hive and DuckDB results differ ({hiveLines.Length} and {duckLines.Length} groups)");
        }
        report.Value("hive_groupby_join_seconds", hive);
        report.Value("duckdb_groupby_join_seconds", duck);
        report.Value("hive_groupby_join_ratio", hive / duck);
    }

    private static async Task RunHiveAsync(string facts, string dims, string output, string metastore, CancellationToken cancellationToken)
    {
        var script = $"""
            CREATE EXTERNAL TABLE facts (id BIGINT, k INT, amount DOUBLE, tag STRING) LOCATION '{facts}';
            CREATE EXTERNAL TABLE dims (k INT, name STRING) LOCATION '{dims}';
            INSERT OVERWRITE LOCAL DIRECTORY '{output}'
              SELECT d.name, count(*), sum(f.amount), max(f.tag) FROM facts f JOIN dims d ON f.k = d.k GROUP BY d.name ORDER BY d.name;
            """;
        var session = await HiveSession.OpenAsync(new HiveOptions { MetastoreDirectory = metastore }, TextWriter.Null, TextWriter.Null, cancellationToken);
        await using (session)
        {
            if (await session.RunScriptAsync(script, cancellationToken) != 0)
            {
                throw new InvalidOperationException("the Hive script failed");
            }
        }
    }

    private static async Task RunDuckDbAsync(string facts, string dims, string output, CancellationToken cancellationToken)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        await connection.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            COPY (SELECT d.name, count(*), sum(f.amount), max(f.tag)
              FROM read_csv('{facts}/*', delim = '\x01', quote = '', escape = '', header = false, nullstr = '\N', columns = {"{"}'id': 'BIGINT', 'k': 'INTEGER', 'amount': 'DOUBLE', 'tag': 'VARCHAR'{"}"}) f
              JOIN read_csv('{dims}/*', delim = '\x01', quote = '', escape = '', header = false, nullstr = '\N', columns = {"{"}'k': 'INTEGER', 'name': 'VARCHAR'{"}"}) d
              ON f.k = d.k GROUP BY d.name ORDER BY d.name) TO '{output}' (FORMAT CSV, DELIMITER '\x01', HEADER false)
            """.Replace("\\x01", "\u0001", StringComparison.Ordinal);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<double> TimeAsync(Func<Task> body)
    {
        var started = Stopwatch.GetTimestamp();
        await body();
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static long WriteFacts(string path, long bytes)
    {
        var random = new Random(18);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        var line = new StringBuilder();
        long written = 0, rows = 0;
        while (written < bytes)
        {
            line.Clear();
            line.Append(rows).Append('\u0001').Append(random.Next(Keys + 100)).Append('\u0001')
                .Append((random.Next(1_000_000) / 100.0).ToString("R", CultureInfo.InvariantCulture)).Append('\u0001')
                .Append("tag").Append(random.Next(1000)).Append('\n');
            writer.Write(line);
            written += line.Length;
            rows++;
        }
        return rows;
    }

    private static void WriteDims(string path)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        for (var k = 0; k < Keys; k++)
        {
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"{k}\u0001name{k % 997}\n"));
        }
    }
}
