using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sluice.Core.ObjectStorage;

namespace Sluice.Core.Logs;

/// <summary>
/// Copies instance logs to object storage (the cluster's log URI and the task's redirect folders):
/// while an instance runs, whenever its log grew by <see cref="LogShippingOptions.ShipBytes"/> or
/// <see cref="LogShippingOptions.ShipInterval"/> passed since the last copy; and once more when it
/// ends, retried with back-off. It runs beside the scheduler, fed by its start and end notices, so a
/// slow or unreachable store never holds up scheduling. Local files are never deleted before every
/// copy of them succeeded; with <see cref="LogShippingOptions.LocalRetention"/> set, older copied
/// files of ended instances are deleted.
/// </summary>
public sealed partial class LogShipper : IInstanceLifecycleObserver, IAsyncDisposable
{
    private static readonly LogStream[] Streams = [LogStream.Stdout, LogStream.Stderr];
    private readonly ObjectStoreResolver _objects;
    private readonly LogShippingOptions _options;
    private readonly string _logRoot;
    private readonly TimeProvider _time;
    private readonly ILogger<LogShipper> _logger;
    private readonly ConcurrentDictionary<string, Tracked> _running = new(StringComparer.Ordinal);
    /// <summary>Local files with a copy still owed; retention never deletes them.</summary>
    private readonly ConcurrentDictionary<string, byte> _owed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _finals = new();
    private readonly SemaphoreSlim _copies;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;
    private DateTimeOffset _lastSweep;
    private int _stopped;

    public LogShipper(ObjectStoreResolver objects, IOptions<LogShippingOptions> options, IOptions<SluiceOptions> core, TimeProvider time, ILogger<LogShipper> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(core);
        _objects = objects;
        _options = options.Value;
        _logRoot = core.Value.LogDirectory;
        _time = time;
        _logger = logger;
        _copies = new SemaphoreSlim(Math.Max(1, _options.MaxConcurrentCopies));
        _lastSweep = time.GetUtcNow();
    }

    /// <summary>Starts the periodic copies of running instances' logs and the retention sweep.</summary>
    public void Start() => _loop ??= Task.Run(RunAsync);

    /// <summary>Waits for the final copies in flight (up to the token), then stops. Later calls do nothing.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }
        try
        {
            await Task.WhenAll(_finals.Keys).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            LogStopWithCopiesOwed(_logger, _finals.Count);
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>Completes when every final copy started so far has finished (or given up); tests wait on it.</summary>
    public Task IdleAsync() => Task.WhenAll(_finals.Keys);

    public void InstanceStarted(InstanceLogInfo instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        if (instance.LogUri is null && instance.StdoutRedirectPath is null && instance.StderrRedirectPath is null)
        {
            return;
        }
        _running[instance.InstanceKey] = new Tracked(instance, _time.GetUtcNow());
    }

    public void InstanceEnded(InstanceLogInfo instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        _running.TryRemove(instance.InstanceKey, out var tracked);
        if (instance.LogUri is null && instance.StdoutRedirectPath is null && instance.StderrRedirectPath is null)
        {
            return;
        }
        _owed[instance.StdoutPath] = 0;
        _owed[instance.StderrPath] = 0;
        var final = ShipFinalAsync(instance, tracked);
        _finals[final] = 0;
        _ = final.ContinueWith(t => _finals.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(_options.CheckInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                foreach (var tracked in _running.Values)
                {
                    await ShipIfDueAsync(tracked, _stopping.Token).ConfigureAwait(false);
                }
                Sweep();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    private async Task ShipIfDueAsync(Tracked tracked, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var streams = new List<(LogStream Stream, long Size)>(2);
        foreach (var stream in Streams)
        {
            var size = SizeOf(tracked.Instance, stream);
            var shipped = tracked.Shipped(stream);
            if (size > shipped && (size - shipped >= _options.ShipBytes || now - tracked.LastShip >= _options.ShipInterval))
            {
                streams.Add((stream, size));
            }
        }
        if (streams.Count == 0)
        {
            return;
        }
        await tracked.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (tracked.Ended)
            {
                return; // the final copy has been made or is being made
            }
            foreach (var (stream, size) in streams)
            {
                var ok = true;
                foreach (var destination in LogUriLayout.Destinations(tracked.Instance, stream))
                {
                    ok &= await CopyAsync(PathOf(tracked.Instance, stream), size, destination, cancellationToken).ConfigureAwait(false);
                }
                if (ok)
                {
                    tracked.SetShipped(stream, size);
                }
            }
            tracked.LastShip = _time.GetUtcNow();
        }
        finally
        {
            tracked.Gate.Release();
        }
    }

    private async Task ShipFinalAsync(InstanceLogInfo instance, Tracked? tracked)
    {
        if (tracked is not null)
        {
            await tracked.Gate.WaitAsync().ConfigureAwait(false);
            tracked.Ended = true;
            tracked.Gate.Release();
        }
        foreach (var stream in Streams)
        {
            var path = PathOf(instance, stream);
            var pending = LogUriLayout.Destinations(instance, stream).ToList();
            var delay = _options.RetryDelay;
            for (var attempt = 1; pending.Count > 0; attempt++)
            {
                var size = SizeOf(instance, stream);
                var failed = new List<ObjectStorage.ObjectUri>();
                foreach (var destination in pending)
                {
                    if (!await CopyAsync(path, size, destination, CancellationToken.None).ConfigureAwait(false))
                    {
                        failed.Add(destination);
                    }
                }
                pending = failed;
                if (pending.Count == 0)
                {
                    break;
                }
                if (attempt >= _options.MaxAttempts)
                {
                    LogCopyAbandoned(_logger, path, string.Join(", ", pending), attempt);
                    break;
                }
                await Task.Delay(delay, _time).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
            if (pending.Count == 0)
            {
                _owed.TryRemove(path, out _);
            }
        }
    }

    /// <summary>Copies the first <paramref name="size"/> bytes of the file (a missing file is an empty log). False on failure, which is logged.</summary>
    private async Task<bool> CopyAsync(string path, long size, ObjectStorage.ObjectUri destination, CancellationToken cancellationToken)
    {
        await _copies.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var location = _objects.Resolve(destination);
            Stream content;
            try
            {
                content = new LimitedReadStream(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16), size);
            }
            catch (FileNotFoundException)
            {
                content = new MemoryStream([], writable: false);
            }
            catch (DirectoryNotFoundException)
            {
                content = new MemoryStream([], writable: false);
            }
            await using (content.ConfigureAwait(false))
            {
                await location.Store.PutAsync(location.Uri, content, cancellationToken).ConfigureAwait(false);
            }
            return true;
        }
        catch (Exception e) when (e is SluiceException or IOException or UnauthorizedAccessException)
        {
            LogCopyFailed(_logger, path, destination.ToString(), e.Message);
            return false;
        }
        finally
        {
            _copies.Release();
        }
    }

    private void Sweep()
    {
        if (_options.LocalRetention is not { } retention)
        {
            return;
        }
        var now = _time.GetUtcNow();
        if (now - _lastSweep < TimeSpan.FromTicks(Math.Min(retention.Ticks, TimeSpan.FromMinutes(1).Ticks)))
        {
            return;
        }
        _lastSweep = now;
        if (!Directory.Exists(_logRoot))
        {
            return;
        }
        var running = new HashSet<string>(_running.Values.SelectMany(t => new[] { t.Instance.StdoutPath, t.Instance.StderrPath }), StringComparer.Ordinal);
        foreach (var jobs in Directory.EnumerateDirectories(_logRoot).Select(account => Path.Combine(account, "jobs")).Where(Directory.Exists))
        {
            foreach (var job in Directory.EnumerateDirectories(jobs))
            {
                SweepJob(job, now - retention, running);
            }
        }
    }

    private void SweepJob(string job, DateTimeOffset cutoff, HashSet<string> running)
    {
        try
        {
            foreach (var file in new DirectoryInfo(job).EnumerateFiles("*", SearchOption.AllDirectories))
            {
                if (file.LastWriteTimeUtc < cutoff && !running.Contains(file.FullName) && !_owed.ContainsKey(file.FullName))
                {
                    file.Delete();
                }
            }
            foreach (var task in Directory.EnumerateDirectories(job).Where(d => !Directory.EnumerateFileSystemEntries(d).Any()).ToList())
            {
                Directory.Delete(task);
            }
            if (!Directory.EnumerateFileSystemEntries(job).Any())
            {
                Directory.Delete(job);
            }
        }
        catch (IOException e)
        {
            LogSweepFailed(_logger, job, e.Message);
        }
    }

    private static string PathOf(InstanceLogInfo instance, LogStream stream) => stream == LogStream.Stdout ? instance.StdoutPath : instance.StderrPath;

    private static long SizeOf(InstanceLogInfo instance, LogStream stream)
    {
        var file = new FileInfo(PathOf(instance, stream));
        return file.Exists ? file.Length : 0;
    }

    private sealed class Tracked(InstanceLogInfo instance, DateTimeOffset started)
    {
        private long _stdout;
        private long _stderr;

        public InstanceLogInfo Instance { get; } = instance;
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public DateTimeOffset LastShip { get; set; } = started;
        public bool Ended { get; set; }

        public long Shipped(LogStream stream) => stream == LogStream.Stdout ? _stdout : _stderr;

        public void SetShipped(LogStream stream, long size)
        {
            if (stream == LogStream.Stdout)
            {
                _stdout = size;
            }
            else
            {
                _stderr = size;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "copying log {Path} to {Destination} failed (it is retried; the local file is kept): {Reason}")]
    private static partial void LogCopyFailed(ILogger logger, string path, string destination, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "gave up copying log {Path} to {Destinations} after {Attempts} attempts; the local file is kept")]
    private static partial void LogCopyAbandoned(ILogger logger, string path, string destinations, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "stopping with {Count} final log copies unfinished; their local files are kept")]
    private static partial void LogStopWithCopiesOwed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "local log retention could not clear {Directory}: {Reason}")]
    private static partial void LogSweepFailed(ILogger logger, string directory, string reason);
}
