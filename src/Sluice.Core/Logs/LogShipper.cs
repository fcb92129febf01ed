using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sluice.Core.ObjectStorage;

namespace Sluice.Core.Logs;

/// <summary>
/// Copies instance and step logs to object storage (the cluster's log URI and the task's redirect folders):
/// while an instance or step runs, whenever its log grew by <see cref="LogShippingOptions.ShipBytes"/> or
/// <see cref="LogShippingOptions.ShipInterval"/> passed since the last copy; and once more when it
/// ends, retried with back-off. A running log's copies are appended as chunk objects holding only the bytes since
/// the last one (<see cref="LogUriLayout.Chunk"/>), and the final copy is one object of the whole log, after which
/// the chunks are deleted: an n-byte log costs at most 2n bytes copied, where re-copying the whole file each time
/// cost O(n²) (issue #15, item 7). Each log is copied up to <see cref="LogShippingOptions.MaxBytesPerLog"/>, then
/// ends with <see cref="ShippedLog.TruncationMarker"/>. It runs beside the scheduler, fed by its start and end notices, so a
/// slow or unreachable store never holds up scheduling. Local files are never deleted before every
/// copy of them succeeded; with <see cref="LogShippingOptions.LocalRetention"/> set, older copied
/// files of ended instances are deleted.
/// </summary>
public sealed partial class LogShipper : IInstanceLifecycleObserver, IAsyncDisposable
{
    private readonly ObjectStoreResolver _objects;
    private readonly BucketOwnership? _buckets;
    private readonly Telemetry.CoreMetrics? _metrics;
    private readonly LogShippingOptions _options;
    private readonly string _logRoot;
    private readonly TimeProvider _time;
    private readonly ILogger<LogShipper> _logger;
    private readonly ConcurrentDictionary<string, Tracked> _running = new(StringComparer.Ordinal);
    /// <summary>Local files with a copy still owed; retention never deletes them.</summary>
    private readonly ConcurrentDictionary<string, byte> _owed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _finals = new();
    /// <summary>Final copies in flight per instance or step: a next attempt's chunks wait for them (that copy deletes chunks).</summary>
    private readonly ConcurrentDictionary<string, int> _finalizing = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _copies;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;
    private DateTimeOffset _lastSweep;
    private int _stopped;

    public LogShipper(ObjectStoreResolver objects, IOptions<LogShippingOptions> options, IOptions<SluiceOptions> core, TimeProvider time, ILogger<LogShipper> logger,
        BucketOwnership? buckets = null, Telemetry.CoreMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(core);
        _objects = objects;
        _buckets = buckets;
        _metrics = metrics;
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
        _running[key] = new Tracked(key, files, _time.GetUtcNow());
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
        _finalizing.AddOrUpdate(key, 1, (_, count) => count + 1);
        var final = ShipFinalAsync(files, tracked);
        _finals[final] = 0;
        _ = final.ContinueWith(t =>
        {
            _finals.TryRemove(t, out _);
            if (_finalizing.AddOrUpdate(key, 0, (_, count) => count - 1) <= 0)
            {
                _finalizing.TryRemove(new KeyValuePair<string, int>(key, 0));
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(_options.CheckInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                await CheckAsync(_stopping.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>One look at the running logs (copying what is due) and the retention sweep; the loop's tick, and tests'.</summary>
    internal async Task CheckAsync(CancellationToken cancellationToken)
    {
        foreach (var tracked in _running.Values)
        {
            await ShipIfDueAsync(tracked, cancellationToken).ConfigureAwait(false);
        }
        Sweep();
    }

    private async Task ShipIfDueAsync(Tracked tracked, CancellationToken cancellationToken)
    {
        if (_finalizing.ContainsKey(tracked.Key))
        {
            return; // the previous attempt's final copy would delete this attempt's first chunks
        }
        var now = _time.GetUtcNow();
        var due = new List<(int File, int Destination, long Size)>();
        for (var i = 0; i < tracked.Files.Count; i++)
        {
            var size = SizeOf(tracked.Files[i].Path);
            var capped = Cap(size);
            for (var d = 0; d < tracked.Files[i].Destinations.Count; d++)
            {
                var copy = tracked.Copies[i][d];
                var grown = capped - copy.Shipped;
                var cut = size > capped && !copy.Cut;
                if (!copy.Cut && (grown > 0 || cut) && (grown >= _options.ShipBytes || cut || now - tracked.LastShip >= _options.ShipInterval))
                {
                    due.Add((i, d, size));
                }
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
            foreach (var (i, d, size) in due)
            {
                await AppendAsync(tracked.Files[i], size, tracked.Files[i].Destinations[d], tracked.Copies[i][d], cancellationToken).ConfigureAwait(false);
            }
            tracked.LastShip = _time.GetUtcNow();
        }
        finally
        {
            tracked.Gate.Release();
        }
    }

    /// <summary>
    /// Appends the bytes since the last chunk as the next chunk (a failed one is sent again, from the same offset, next
    /// time). The attempt's first chunk removes an earlier attempt's copy first, so readers see this attempt's log.
    /// </summary>
    private async Task AppendAsync(ShippedLogFile file, long size, ObjectUri destination, ChunkedCopy copy, CancellationToken cancellationToken)
    {
        var path = file.Path;
        var capped = Cap(size);
        var cut = size > capped;
        await TryCopyAsync(file, destination, async location =>
        {
            if (!copy.Started)
            {
                await location.Store.DeleteAsync(location.Uri, cancellationToken).ConfigureAwait(false);
                await DeleteChunksAsync(location, cancellationToken).ConfigureAwait(false);
                copy.Started = true;
            }
            var chunk = location with { Uri = LogUriLayout.Chunk(location.Uri, copy.Shipped) };
            var content = Section(path, copy.Shipped, capped - copy.Shipped, cut);
            await using (content.ConfigureAwait(false))
            {
                await chunk.Store.PutAsync(chunk.Uri, content, cancellationToken).ConfigureAwait(false);
            }
            _metrics?.LogBytesShipped(capped - copy.Shipped, final: false);
            copy.Shipped = capped;
            copy.Cut = cut;
        }).ConfigureAwait(false);
    }

    private static async Task DeleteChunksAsync(ObjectLocation log, CancellationToken cancellationToken)
    {
        var chunks = new List<string>();
        try
        {
            await foreach (var item in ObjectTransfer.ListAllAsync(log with { Uri = LogUriLayout.Chunks(log.Uri) }, cancellationToken).ConfigureAwait(false))
            {
                chunks.Add(item.Key);
            }
        }
        catch (ServiceException e) when (e.Code == Contracts.ErrorCodes.ObjectNotFound)
        {
            return;
        }
        foreach (var key in chunks)
        {
            await log.Store.DeleteAsync(log.Uri.WithKey(key), cancellationToken).ConfigureAwait(false);
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
        for (var i = 0; i < files.Count; i++)
        {
            var path = files[i].Path;
            var pending = Enumerable.Range(0, files[i].Destinations.Count).ToList();
            var delay = _options.RetryDelay;
            for (var attempt = 1; pending.Count > 0; attempt++)
            {
                var size = SizeOf(path);
                var failed = new List<int>();
                foreach (var d in pending)
                {
                    if (!await CopyWholeAsync(files[i], size, files[i].Destinations[d], tracked?.Copies[i][d]).ConfigureAwait(false))
                    {
                        failed.Add(d);
                    }
                }
                pending = failed;
                if (pending.Count == 0)
                {
                    break;
                }
                if (attempt >= _options.MaxAttempts)
                {
                    LogCopyAbandoned(_logger, path, string.Join(", ", pending.Select(d => files[i].Destinations[d])), attempt);
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
    /// The final copy: the whole log (up to the cap) as one object, where readers and tools expect it; then the running
    /// copy's chunks go. A chunk left by a failed delete is harmless: readers take the whole object first.
    /// </summary>
    private Task<bool> CopyWholeAsync(ShippedLogFile file, long size, ObjectUri destination, ChunkedCopy? chunked) =>
        TryCopyAsync(file, destination, async location =>
        {
            var capped = Cap(size);
            var content = Section(file.Path, 0, capped, size > capped);
            await using (content.ConfigureAwait(false))
            {
                await location.Store.PutAsync(location.Uri, content, CancellationToken.None).ConfigureAwait(false);
            }
            _metrics?.LogBytesShipped(capped, final: true);
            if (chunked is { Started: true })
            {
                try
                {
                    await DeleteChunksAsync(location, CancellationToken.None).ConfigureAwait(false);
                    chunked.Started = false;
                }
                catch (Exception e) when (e is ServiceException or IOException)
                {
                    LogChunkCleanupFailed(_logger, destination.ToString(), e.Message);
                }
            }
        });

    /// <summary>
    /// Runs one copy to <paramref name="destination"/> under the concurrency limit. False on failure, which is logged; a
    /// bucket that is not the account's (any more) is such a failure, so the local file is kept.
    /// </summary>
    private async Task<bool> TryCopyAsync(ShippedLogFile file, ObjectUri destination, Func<ObjectLocation, Task> copy)
    {
        await _copies.WaitAsync().ConfigureAwait(false);
        try
        {
            var location = _objects.Resolve(destination);
            if (_buckets is not null)
            {
                await _buckets.AuthorizeAsync(file.AccountId, location, "log copy", CancellationToken.None).ConfigureAwait(false);
            }
            await copy(location).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is ServiceException or IOException or UnauthorizedAccessException)
        {
            LogCopyFailed(_logger, file.Path, destination.ToString(), e.Message);
            return false;
        }
        finally
        {
            _copies.Release();
        }
    }

    private long Cap(long size) => _options.MaxBytesPerLog is { } cap && size > cap ? cap : size;

    /// <summary>
    /// <paramref name="count"/> bytes of the file from <paramref name="offset"/> (a missing file is an empty log), then the
    /// truncation marker when <paramref name="cut"/>.
    /// </summary>
    private Stream Section(string path, long offset, long count, bool cut)
    {
        Stream content;
        try
        {
            var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
            file.Seek(offset, SeekOrigin.Begin);
            content = new LimitedReadStream(file, count);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            content = new MemoryStream([], writable: false);
        }
        return cut ? new ConcatenatedReadStream(content, new MemoryStream(ShippedLog.TruncationMarker(_options.MaxBytesPerLog!.Value), writable: false)) : content;
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

    /// <summary>A running instance's or step's log files and, per file and destination, what its chunks hold.</summary>
    private sealed class Tracked(string key, IReadOnlyList<ShippedLogFile> files, DateTimeOffset started)
    {
        public string Key { get; } = key;
        public IReadOnlyList<ShippedLogFile> Files { get; } = files;
        public ChunkedCopy[][] Copies { get; } = files.Select(f => f.Destinations.Select(_ => new ChunkedCopy()).ToArray()).ToArray();
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public DateTimeOffset LastShip { get; set; } = started;
        public bool Ended { get; set; }
    }

    /// <summary>One destination's running copy: bytes of the file in its chunks, whether they began (the old copy is gone) and hold the marker.</summary>
    private sealed class ChunkedCopy
    {
        public long Shipped { get; set; }
        public bool Started { get; set; }
        public bool Cut { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "copying log {Path} to {Destination} failed (it is retried; the local file is kept): {Reason}")]
    private static partial void LogCopyFailed(ILogger logger, string path, string destination, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "gave up copying log {Path} to {Destinations} after {Attempts} attempts; the local file is kept")]
    private static partial void LogCopyAbandoned(ILogger logger, string path, string destinations, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "stopping with {Count} final log copies unfinished; their local files are kept")]
    private static partial void LogStopWithCopiesOwed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the chunks of the running copy {Destination} were not all deleted after its final copy (readers use the final copy): {Reason}")]
    private static partial void LogChunkCleanupFailed(ILogger logger, string destination, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "local log retention could not clear {Directory}: {Reason}")]
    private static partial void LogSweepFailed(ILogger logger, string directory, string reason);
}
