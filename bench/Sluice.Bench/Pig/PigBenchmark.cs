using System.Diagnostics;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Sluice.Pig;
using Sluice.Streaming;

namespace Sluice.Bench.Pig;

/// <summary>
/// A Pig group-by aggregation (GROUP, COUNT, SUM) over delimited text on Sluice's embedded Pig, against the same
/// aggregation as SQL run directly by DuckDB over the same file, and against a python-mapper streaming job computing
/// it, in the same run. Size: SLUICE_BENCH_PIG_MIB (default 1024 MiB, 32 MiB with --quick).
/// </summary>
internal sealed class PigBenchmark : IBenchmark
{
    private const string Script = "A = LOAD '$INPUT' USING PigStorage('\\t') AS (k:chararray, n:long, s:chararray);\nB = GROUP A BY k;\nC = FOREACH B GENERATE group, COUNT(A), SUM(A.n);\nSTORE C INTO '$OUTPUT';\n";
    private const string Mapper = "import sys\nfor line in sys.stdin:\n    f = line.rstrip('\\n').split('\\t')\n    print(f[0] + '\\t' + f[1])\n";
    private const string Reducer = "import sys\ncur = None\nc = 0\ns = 0\nfor line in sys.stdin:\n    k, v = line.rstrip('\\n').split('\\t', 1)\n    if k != cur:\n        if cur is not None:\n            print(cur + '\\t' + str(c) + '\\t' + str(s))\n        cur = k\n        c = 0\n        s = 0\n    c += 1\n    s += int(v)\nif cur is not None:\n    print(cur + '\\t' + str(c) + '\\t' + str(s))\n";

    public string Name => "pig";

    public string Description => "Pig GROUP/COUNT/SUM on the embedded engine vs the same SQL run directly by DuckDB, and vs a python-mapper streaming job";

    public async Task RunAsync(BenchReport report, BenchOptions options, CancellationToken cancellationToken)
    {
        var dir = options.WorkDirectory;
        Directory.CreateDirectory(dir);
        var mib = Environment.GetEnvironmentVariable("SLUICE_BENCH_PIG_MIB") is { Length: > 0 } size ? long.Parse(size, CultureInfo.InvariantCulture) : options.Quick ? 32 : 1024;
        var input = Path.Combine(dir, "kv.tsv");
        WriteCorpus(input, mib << 20);
        var threads = Environment.ProcessorCount;
        report.Note($"corpus: {mib} MiB of key TAB number TAB text lines, {threads} DuckDB threads on {Environment.ProcessorCount} cores");

        // Both sides share DuckDB's native library and the page cache: warm them once, then take the best of two runs each.
        var sample = Path.Combine(dir, "sample.tsv");
        WriteCorpus(sample, 1 << 20);
        await RunPigAsync(sample, Path.Combine(dir, "warm-pig"), threads, cancellationToken);
        await RunSqlAsync(sample, Path.Combine(dir, "warm.tsv"), threads, cancellationToken);
        var pigOut = Path.Combine(dir, "pig");
        var sqlOut = Path.Combine(dir, "duckdb.tsv");
        var sql = await TimeAsync(() => RunSqlAsync(input, sqlOut, threads, cancellationToken));
        var pig = await TimeAsync(() => RunPigAsync(input, pigOut, threads, cancellationToken));
        var sqlAgain = await TimeAsync(() => RunSqlAsync(input, sqlOut, threads, cancellationToken));
        var pigAgain = await TimeAsync(() => RunPigAsync(input, pigOut + "2", threads, cancellationToken));
        sql = sqlAgain.Wall < sql.Wall ? sqlAgain : sql;
        pig = pigAgain.Wall < pig.Wall ? pigAgain : pig;

        await File.WriteAllTextAsync(Path.Combine(dir, "map.py"), Mapper, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(dir, "reduce.py"), Reducer, cancellationToken);
        var streamingOut = Path.Combine(dir, "streaming");
        var streaming = await TimeAsync(async () =>
        {
            var result = await new StreamingEngine().RunAsync(StreamingArguments.Parse([
                "-input", input, "-output", streamingOut, "-mapper", "python3 map.py", "-reducer", "python3 reduce.py",
                "-numReduceTasks", threads.ToString(CultureInfo.InvariantCulture), "-files", $"{Path.Combine(dir, "map.py")},{Path.Combine(dir, "reduce.py")}"]), cancellationToken);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"streaming job failed: {result.Error}");
            }
        });

        var expected = Sorted(File.ReadLines(sqlOut));
        Check(Sorted(File.ReadLines(Path.Combine(pigOut, "part-r-00000"))), expected, "pig");
        Check(Sorted(Directory.GetFiles(streamingOut, "part-*").SelectMany(File.ReadLines)), expected, "streaming");
        report.Value("pig_groupby_seconds", pig.Wall);
        report.Value("pig_groupby_duckdb_sql_seconds", sql.Wall);
        report.Value("pig_groupby_streaming_python_seconds", streaming.Wall);
        report.Value("pig_groupby_vs_duckdb_ratio", pig.Wall / sql.Wall);
        report.Value("pig_groupby_speedup_vs_streaming", streaming.Wall / pig.Wall);
        report.Value("pig_groupby_cpu_seconds", pig.Cpu);
        report.Value("pig_groupby_duckdb_sql_cpu_seconds", sql.Cpu);
        report.Value("pig_groupby_vs_duckdb_cpu_ratio", pig.Cpu / sql.Cpu);
    }

    private static Task RunPigAsync(string input, string output, int threads, CancellationToken cancellationToken) =>
        new PigEngine(new PigEngineOptions { Threads = threads })
            .RunAsync(Script, new Dictionary<string, string> { ["INPUT"] = input, ["OUTPUT"] = output }, TextWriter.Null, cancellationToken);

    private static async Task RunSqlAsync(string input, string output, int threads, CancellationToken cancellationToken)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        await connection.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = $"SET threads = {threads}; COPY (SELECT k, count(*), sum(n) FROM read_csv('{input}', delim = '\t', header = false, columns = {{'k': 'VARCHAR', 'n': 'BIGINT', 's': 'VARCHAR'}}, auto_detect = false, quote = '', escape = '') GROUP BY k) TO '{output}' (FORMAT csv, DELIMITER '\t', HEADER false, QUOTE '')";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Seeded lines "key TAB number TAB text": 100,000 keys, numbers 0-999, 20-60 characters of text.</summary>
    private static void WriteCorpus(string path, long bytes)
    {
        var random = new Random(20261202);
        using var output = new BufferedStream(File.Create(path), 1 << 20);
        long written = 0;
        var line = new StringBuilder();
        while (written < bytes)
        {
            line.Clear();
            line.Append('k').Append(random.Next(100_000).ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(random.Next(1000).ToString(CultureInfo.InvariantCulture)).Append('\t');
            var length = random.Next(20, 61);
            for (var i = 0; i < length; i++)
            {
                line.Append((char)('a' + random.Next(26)));
            }
            line.Append('\n');
            var data = Encoding.ASCII.GetBytes(line.ToString());
            output.Write(data);
            written += data.Length;
        }
    }

    private static List<string> Sorted(IEnumerable<string> lines) => lines.Order(StringComparer.Ordinal).ToList();

    private static void Check(List<string> actual, List<string> expected, string what)
    {
        if (!actual.SequenceEqual(expected))
        {
            throw new InvalidOperationException($"{what}: {actual.Count} lines differ from DuckDB's {expected.Count} (first: {actual.FirstOrDefault()} vs {expected.FirstOrDefault()})");
        }
    }

    private static double CpuSeconds()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return fields[11..15].Sum(f => long.Parse(f, CultureInfo.InvariantCulture)) / 100.0;
    }

    private static async Task<(double Wall, double Cpu)> TimeAsync(Func<Task> action)
    {
        var cpu = CpuSeconds();
        var watch = Stopwatch.StartNew();
        await action();
        return (watch.Elapsed.TotalSeconds, CpuSeconds() - cpu);
    }
}
