using System.Diagnostics.Metrics;
using Sluice.Core.Model;

namespace Sluice.Core.Telemetry;

/// <summary>
/// The instruments of Sluice.Core, on its one <see cref="Meter"/> (named after the assembly), created from the host's
/// <see cref="IMeterFactory"/> and disposed with it. A meter provider subscribes to meters by name across the process, so
/// two servers in one process (tests, never <c>sluice up</c>) count into each other's providers. Attributes are bounded vocabularies (backend names, error codes, copy kinds): never an
/// account, a resource id or a name a caller chose. Every instrument is listed in docs/observability.md.
/// </summary>
public sealed class CoreMetrics : IDisposable
{
    public const string MeterName = "Sluice.Core";

    private readonly Meter _meter;
    private readonly Counter<long> _launched;
    private readonly Counter<long> _finished;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _stopped;
    private readonly Counter<long> _logBytes;
    private SchedulerSample _sample = SchedulerSample.Empty;

    public CoreMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _launched = _meter.CreateCounter<long>("sluice.instances.launched", "{attempt}", "Instance attempts the backend launched.");
        _finished = _meter.CreateCounter<long>("sluice.instances.finished", "{attempt}", "Instance attempts that ended Finished (exit code 0).");
        _failed = _meter.CreateCounter<long>("sluice.instances.failed", "{attempt}", "Instance attempts that failed, whether retried or not; the error code says why.");
        _retried = _meter.CreateCounter<long>("sluice.instances.retried", "{attempt}", "Failed instance attempts that went back to Waiting for another attempt.");
        _stopped = _meter.CreateCounter<long>("sluice.instances.stopped", "{attempt}", "Instance attempts ended by a stop, a failed job, a terminate or the server stopping.");
        _logBytes = _meter.CreateCounter<long>("sluice.logs.shipped", "By", "Log bytes copied to object storage.");
        _meter.CreateObservableGauge("sluice.instances.ready", () => Volatile.Read(ref _sample).ReadyInstances, "{instance}",
            "Instances whose task is ready (its DAG predecessors finished) waiting for a slot, sampled on the scheduler loop.");
        _meter.CreateObservableGauge("sluice.slots.used", () => Volatile.Read(ref _sample).Slots.Select(s => new Measurement<long>(s.Used, s.Tag)), "{vcpu}",
            "vCPU slots of ready nodes taken by running instances and steps, by backend.");
        _meter.CreateObservableGauge("sluice.slots.total", () => Volatile.Read(ref _sample).Slots.Select(s => new Measurement<long>(s.Total, s.Tag)), "{vcpu}",
            "vCPU slots of ready nodes, by backend.");
    }

    /// <summary>When the gauges were last sampled (<see cref="Scheduling.Scheduler.SampleAsync"/>).</summary>
    public DateTimeOffset? SampledAt => Volatile.Read(ref _sample).At;

    internal void Launched(string backend) => _launched.Add(1, BackendTag(backend));

    /// <summary>Counts an attempt's end by the state its instance took (Waiting means failed and retried).</summary>
    internal void AttemptEnded(string backend, TaskInstance instance)
    {
        var tag = BackendTag(backend);
        switch (instance.State)
        {
            case RunState.Finished:
                _finished.Add(1, tag);
                break;
            case RunState.Stopped:
                _stopped.Add(1, tag);
                break;
            case RunState.Waiting:
                _failed.Add(1, tag, ErrorTag(instance.ErrorCode));
                _retried.Add(1, tag);
                break;
            case RunState.Failed:
                _failed.Add(1, tag, ErrorTag(instance.ErrorCode));
                break;
        }
    }

    internal void LogBytesShipped(long bytes, bool final)
    {
        if (bytes > 0)
        {
            _logBytes.Add(bytes, new KeyValuePair<string, object?>("sluice.log.copy", final ? "final" : "chunk"));
        }
    }

    internal void Publish(SchedulerSample sample) => Volatile.Write(ref _sample, sample);

    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?> BackendTag(string backend) => new("sluice.backend", backend);

    // Error codes are the fixed InstanceErrorCodes vocabulary, never a message.
    private static KeyValuePair<string, object?> ErrorTag(string? code) => new("error.type", code ?? "Unknown");
}
