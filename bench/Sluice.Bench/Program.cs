using System.Reflection;
using Sluice.Bench;

// Usage: dotnet run -c Release --project bench/Sluice.Bench -- [--quick] [name ...]
// With no names every benchmark runs. Each prints name=value lines; see docs/benchmarks.md.
if (args.Length > 0 && args[0] == Sluice.Bench.Foundation.HttpLoadGenerator.Flag)
{
    return await Sluice.Bench.Foundation.HttpLoadGenerator.RunChildAsync(args);
}

var benchmarks = typeof(Program).Assembly.GetTypes()
    .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name, StringComparer.Ordinal)
    .ToList();

var quick = args.Contains("--quick");
var names = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
if (args.Contains("--list"))
{
    foreach (var b in benchmarks)
    {
        Console.WriteLine($"{b.Name}\t{b.Description}");
    }
    return 0;
}
var unknown = names.Where(n => benchmarks.All(b => b.Name != n)).ToList();
if (unknown.Count > 0)
{
    Console.Error.WriteLine($"unknown benchmark(s): {string.Join(", ", unknown)}; --list shows them");
    return 2;
}

var work = Path.Combine(Path.GetTempPath(), $"sluice-bench-{Environment.ProcessId}");
Directory.CreateDirectory(work);
var report = new BenchReport(Console.Out);
try
{
    foreach (var benchmark in benchmarks.Where(b => names.Count == 0 || names.Contains(b.Name)))
    {
        report.Note($"{benchmark.Name}: {benchmark.Description}");
        await benchmark.RunAsync(report, new BenchOptions(quick, Path.Combine(work, benchmark.Name)), CancellationToken.None);
    }
}
finally
{
    Directory.Delete(work, recursive: true);
}
return 0;
