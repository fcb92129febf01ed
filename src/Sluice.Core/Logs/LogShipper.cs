using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sluice.Core.ObjectStorage;

namespace Sluice.Core.Logs;

/// <summary>
/// Copies instance and step logs to object storage (the cluster's log URI and the task's redirect folders):
/// while an instance or step runs, whenever its log grew by <see cref="LogShippingOptions.ShipBytes"/> or
/// <see cref="LogShippingOptions.ShipInterval"/> passed since the last copy; and once more when it
/// ends, retried with back-off. It runs beside the scheduler, fed by its start and end notices, so a
/// slow or unreachable store never holds up scheduling. Local files are never deleted before every
/// copy of them succeeded; with <see cref="LogShippingOptions.LocalRetention"/> set, older copied
/// files of ended instances are deleted.
/// </summary>
public sealed partial class LogShipper : IInstanceLifecycleObserver, IAsyncDisposable
{
    private readonly ObjectStoreResolver _objects;
    private readonly BucketOwnership? _buckets;
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

    public LogShipper(ObjectStoreResolver objects, IOptions<LogShippingOptions> options, IOptions<SluiceOptions> core, TimeProvider time, ILogger<LogShipper> logger,
        BucketOwnership? buckets = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(core);
        _objects = objects;
        _buckets = buckets;
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
        Started(instance.InstanceKey, ShippedLogFile.Of(instance));
    }

    public void InstanceEnded(InstanceLogInfo instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        Ended(instance.InstanceKey, ShippedLogFile.Of(instance));
    }

    public void StepStarted(StepLogInfo step)
    {
        ArgumentNullException.ThrowIfNull(step);
        Started(step.StepKey, ShippedLogFile.Of(step));
    }

    public void StepEnded(StepLogInfo step)
    {
        ArgumentNullException.ThrowIfNull(step);
        Ended(step.StepKey, ShippedLogFile.Of(step));
    }

    private void Started(string key, IReadOnlyList<ShippedLogFile> files)
    {
        if (files.All(f => f.Destinations.Count == 0))
        {
            return;
        }
        _running[key] = new Tracked(files, _time.GetUtcNow());
    }

    private void Ended(string key, IReadOnlyList<ShippedLogFile> files)
    {
        _running.TryRemove(key, out var tracked);
        if (files.All(f => f.Destinations.Count == 0))
        {
            return;
        }
        foreach (var file in files)
        {
            _owed[file.Path] = 0;
        }
        var final = ShipFinalAsync(files, tracked);
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
        var due = new List<(int File, long Size)>(tracked.Files.Count);
        for (var i = 0; i < tracked.Files.Count; i++)
        {
            var size = SizeOf(tracked.Files[i].Path);
            var shipped = tracked.Shipped[i];
            if (size > shipped && (size - shipped >= _options.ShipBytes || now - tracked.LastShip >= _options.ShipInterval))
            {
                due.Add((i, size));
            }
        }
        if (due.Count == 0)
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
            foreach (var (i, size) in due)
            {
                var ok = true;
                foreach (var destination in tracked.Files[i].Destinations)
                {
                    ok &= await CopyAsync(tracked.Files[i], size, destination, cancellationToken).ConfigureAwait(false);
                }
                if (ok)
                {
                    tracked.Shipped[i] = size;
                }
            }
            tracked.LastShip = _time.GetUtcNow();
        }
        finally
        {
            tracked.Gate.Release();
        }
    }

    private async Task ShipFinalAsync(IReadOnlyList<ShippedLogFile> files, Tracked? tracked)
    {
        if (tracked is not null)
        {
            await tracked.Gate.WaitAsync().ConfigureAwait(false);
            tracked.Ended = true;
            tracked.Gate.Release();
        }
        foreach (var file in files)
        {
            var path = file.Path;
            var pending = file.Destinations.ToList();
            var delay = _options.RetryDelay;
            for (var attempt = 1; pending.Count > 0; attempt++)
            {
                var size = SizeOf(path);
                var failed = new List<ObjectStorage.ObjectUri>();
                foreach (var destination in pending)
                {
                    if (!await CopyAsync(file, size, destination, CancellationToken.None).ConfigureAwait(false))
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

    /// <summary>
    /// Copies the first <paramref name="size"/> bytes of the file (a missing file is an empty log). False on failure, which is
    /// logged; a bucket that is not the account's (any more) is such a failure, so the local file is kept.
    /// </summary>
    private async Task<bool> CopyAsync(ShippedLogFile file, long size, ObjectStorage.ObjectUri destination, CancellationToken cancellationToken)
    {
        var path = file.Path;
        await _copies.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var location = _objects.Resolve(destination);
            if (_buckets is not null)
            {
                await _buckets.AuthorizeAsync(file.AccountId, location, "log copy", cancellationToken).ConfigureAwait(false);
            }
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
        catch (Exception e) when (e is ServiceException or IOException or UnauthorizedAccessException)
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
        var running = new HashSet<string>(_running.Values.SelectMany(t => t.Files.Select(f => f.Path)), StringComparer.Ordinal);
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

    private static long SizeOf(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? file.Length : 0;
    }

    /// <summary>A running instance's or step's log files and how much of each has been copied.</summary>
    private sealed class Tracked(IReadOnlyList<ShippedLogFile> files, DateTimeOffset started)
    {
        public IReadOnlyList<ShippedLogFile> Files { get; } = files;
        public long[] Shipped { get; } = new long[files.Count];
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public DateTimeOffset LastShip { get; set; } = started;
        public bool Ended { get; set; }
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
