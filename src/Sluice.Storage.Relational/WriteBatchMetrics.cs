using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Sluice.Storage.Relational;

/// <summary>
/// A database writer's batches (group commits): how long each took and how many mutations it carried. Each writer makes
/// its own, on the meter of its own assembly (Sluice.Storage.Sqlite, Sluice.Storage.Postgres), with the same instrument
/// names, so a dashboard reads either store the same way.
/// </summary>
internal sealed class WriteBatchMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly Histogram<double> _duration;
    private readonly Histogram<int> _size;
    private readonly KeyValuePair<string, object?> _system;

    public WriteBatchMetrics(IMeterFactory? meterFactory, string meterName, string systemName)
    {
        _meter = meterFactory?.Create(meterName) ?? new Meter(meterName);
        _system = new("db.system.name", systemName);
        _duration = _meter.CreateHistogram("sluice.store.write.batch.duration", "s",
            "Time from a write batch's start to its commit (or failure), on the store's single writer.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        _size = _meter.CreateHistogram("sluice.store.write.batch.size", "{operation}",
            "Mutations committed together in one write batch.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] });
    }

    /// <param name="startedAt">The batch's start, a <see cref="Stopwatch.GetTimestamp"/> value.</param>
    /// <param name="operations">Mutations in the batch.</param>
    public void Record(long startedAt, int operations)
    {
        _duration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, _system);
        _size.Record(operations, _system);
    }

    public void Dispose() => _meter.Dispose();
}
