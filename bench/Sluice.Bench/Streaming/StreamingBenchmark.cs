using System.Diagnostics;
using Sluice.Streaming;

namespace Sluice.Bench.Streaming;

/// <summary>
/// Hadoop-streaming jobs on Sluice against the shell pipelines people use instead, in the same run on
/// the same corpus: word count in python, identity sort, and the built-in aggregate reducer.
/// </summary>
internal sealed class StreamingBenchmark : IBenchmark
{
    private const string Mapper = "import sys\nfor line in sys.stdin:\n    for w in line.split():\n        print(w + '\\t1')\n";
    private const string AggregateMapper = "import sys\nfor line in sys.stdin:\n    for w in line.split():\n        print('LongValueSum:' + w + '\\t1')\n";
    private const string Reducer = "import sys\ncur = None\nn = 0\nfor line in sys.stdin:\n    k, v = line.rstrip('\\n').split('\\t', 1)\n    if k != cur:\n        if cur is not None:\n            print(cur + '\\t' + str(n))\n        cur = k\n        n = 0\n    n += int(v)\nif cur is not None:\n    print(cur + '\\t' + str(n))\n";

    public string Name => "streaming";

    public string Description => "hadoop-streaming jobs vs mapper | LC_ALL=C sort | reducer pipelines (py word count, identity, aggregate)";

    public async Task RunAsync(BenchReport report, BenchOptions options, CancellationToken cancellationToken)
    {
        var dir = options.WorkDirectory;
        Directory.CreateDirectory(dir);
        var bytes = options.Quick ? 20L << 20 : 200L << 20;
        var text = Path.Combine(dir, "text.txt");
        var kv = Path.Combine(dir, "kv.txt");
        StreamingCorpus.WriteText(text, bytes);
        StreamingCorpus.WriteKeyValue(kv, bytes);
        await File.WriteAllTextAsync(Path.Combine(dir, "map.py"), Mapper, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(dir, "aggmap.py"), AggregateMapper, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(dir, "reduce.py"), Reducer, cancellationToken);
        report.Note($"corpus: {bytes >> 20} MiB text and {bytes >> 20} MiB key/value lines, {Environment.ProcessorCount} cores");

        var py = Path.Combine(dir, "py");
        var pySluice = await TimeAsync(() => RunJobAsync(
            "-input", text, "-output", py, "-mapper", "python3 map.py", "-reducer", "python3 reduce.py",
            "-numReduceTasks", Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-files", $"{Path.Combine(dir, "map.py")},{Path.Combine(dir, "reduce.py")}"));
        var pyBaseline = Time(() => Bash("python3 map.py < text.txt | LC_ALL=C sort -t$'\\t' -k1,1 | python3 reduce.py > py.baseline", dir));
        Check(SortedLines(py), SortedLines(Path.Combine(dir, "py.baseline")), "py word count");
        Report(report, "streaming_py", pySluice, pyBaseline);

        var identity = Path.Combine(dir, "identity");
        var identitySluice = await TimeAsync(() => RunJobAsync("-input", kv, "-output", identity, "-mapper", "cat", "-reducer", "cat"));
        var identityBaseline = Time(() => Bash("LC_ALL=C sort -t$'\\t' -k1,1 -s < kv.txt > identity.baseline", dir));
        Check(Lines(identity), File.ReadLines(Path.Combine(dir, "identity.baseline")), "identity");
        Report(report, "streaming_identity", identitySluice, identityBaseline);

        var aggregate = Path.Combine(dir, "aggregate");
        var aggregateSluice = await TimeAsync(() => RunJobAsync(
            "-input", text, "-output", aggregate, "-mapper", "python3 aggmap.py", "-reducer", "aggregate",
            "-files", Path.Combine(dir, "aggmap.py")));
        // The python-reducer pipeline is the py baseline's; measured again so both sides share this moment's machine load.
        var aggregateBaseline = Time(() => Bash("python3 map.py < text.txt | LC_ALL=C sort -t$'\\t' -k1,1 | python3 reduce.py > aggregate.baseline", dir));
        Check(SortedLines(aggregate), SortedLines(Path.Combine(dir, "aggregate.baseline")), "aggregate");
        Report(report, "streaming_aggregate", aggregateSluice, aggregateBaseline);
    }

    private static void Report(BenchReport report, string name, (double Wall, double Cpu) sluice, (double Wall, double Cpu) baseline)
    {
        report.Value($"{name}_sluice_seconds", sluice.Wall);
        report.Value($"{name}_baseline_seconds", baseline.Wall);
        report.Value($"{name}_sluice_cpu_seconds", sluice.Cpu);
        report.Value($"{name}_baseline_cpu_seconds", baseline.Cpu);
        report.Value($"{name}_cpu_ratio", sluice.Cpu / baseline.Cpu);
        report.Value($"{name}_ratio", sluice.Wall / baseline.Wall);
    }

    /// <summary>
    /// CPU seconds used by this process and its waited-for children (/proc/self/stat utime, stime,
    /// cutime, cstime). On a shared machine wall time depends on the neighbours; CPU time does not.
    /// </summary>
    private static double CpuSeconds()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state); utime..cstime are fields 14..17.
        var ticks = fields[11..15].Sum(f => long.Parse(f, System.Globalization.CultureInfo.InvariantCulture));
        return ticks / 100.0;
    }

    private static async Task RunJobAsync(params string[] args)
    {
        var result = await new StreamingEngine().RunAsync(StreamingArguments.Parse(args));
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"streaming job failed: {result.Error}");
        }
    }

    private static async Task<(double Wall, double Cpu)> TimeAsync(Func<Task> action)
    {
        var cpu = CpuSeconds();
        var watch = Stopwatch.StartNew();
        await action();
        return (watch.Elapsed.TotalSeconds, CpuSeconds() - cpu);
    }

    private static (double Wall, double Cpu) Time(Action action)
    {
        var cpu = CpuSeconds();
        var watch = Stopwatch.StartNew();
        action();
        return (watch.Elapsed.TotalSeconds, CpuSeconds() - cpu);
    }

    /// <summary>Runs a pipeline with the environment the jobs' tasks get: LC_ALL=C, no PYTHONUNBUFFERED.</summary>
    private static void Bash(string script, string workingDirectory)
    {
        var info = new ProcessStartInfo("/bin/bash") { UseShellExecute = false, WorkingDirectory = workingDirectory };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("set -o pipefail; " + script);
        info.Environment["LC_ALL"] = "C";
        info.Environment.Remove("PYTHONUNBUFFERED");
        using var process = Process.Start(info)!;
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"baseline failed with exit code {process.ExitCode}: {script}");
        }
    }

    private static IEnumerable<string> Lines(string outputDirectory) =>
        Directory.GetFiles(outputDirectory, "part-*").Order(StringComparer.Ordinal).SelectMany(File.ReadLines);

    private static List<string> SortedLines(string path)
    {
        var lines = (Directory.Exists(path) ? Lines(path) : File.ReadLines(path)).ToList();
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static void Check(IEnumerable<string> sluice, IEnumerable<string> baseline, string what)
    {
        if (!sluice.SequenceEqual(baseline, StringComparer.Ordinal))
        {
            throw new InvalidOperationException($"{what}: Sluice output differs from the baseline pipeline's.");
        }
    }
}
