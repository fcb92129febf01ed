using System.Globalization;
using System.Text;
using Sluice.Streaming.Internal;

namespace Sluice.Streaming;

/// <summary>
/// Runs a Hadoop-streaming job: splits the input, runs map tasks (up to the parallelism at once)
/// through an <see cref="IStreamingTaskExecutor"/>, then reduce tasks over the sorted map outputs,
/// retries failed attempts, commits <c>part-NNNNN</c> files and <c>_SUCCESS</c>.
/// </summary>
public sealed class StreamingEngine
{
    /// <summary>Object-URI part files are uploaded this many at a time when the job commits.</summary>
    private const int ConcurrentUploads = 4;

    private readonly IStreamingTaskExecutor _executor;
    private readonly TimeProvider _time;
    private readonly IStreamingStore? _store;

    public StreamingEngine()
        : this(new LocalStreamingTaskExecutor())
    {
    }

    /// <summary>Runs tasks in this process; inputs, output, files and archives given as object URIs go through <paramref name="store"/>.</summary>
    public StreamingEngine(IStreamingStore? store)
        : this(new LocalStreamingTaskExecutor(store), null, store)
    {
    }

    /// <param name="executor">Runs task attempts.</param>
    /// <param name="timeProvider">The clock (job ids, elapsed time); default the system's.</param>
    /// <param name="store">
    /// Resolves object URIs (<c>s3://</c>, <c>oss://</c>, ...) among the inputs, output, files and archives; null: local paths only.
    /// The executor must read object-URI splits itself (<see cref="StreamingTaskWorker.RunAsync(StreamingTaskSpec, IStreamingStore, CancellationToken)"/>)
    /// or stage them (<see cref="StreamingTaskWorker.StageSplitAsync"/>).
    /// </param>
    public StreamingEngine(IStreamingTaskExecutor executor, TimeProvider? timeProvider = null, IStreamingStore? store = null)
    {
        _executor = executor;
        _time = timeProvider ?? TimeProvider.System;
        _store = store;
    }

    /// <summary>
    /// Runs the job to completion. Invalid specs throw <see cref="StreamingUsageException"/>; everything
    /// else that stops the job (missing input, existing output, a task failing all its attempts) is a
    /// failed result with <see cref="StreamingJobResult.Error"/>. Cancellation kills running commands and
    /// returns a cancelled result.
    /// </summary>
    public async Task<StreamingJobResult> RunAsync(StreamingJobSpec spec, CancellationToken cancellationToken = default)
    {
        var plan = JobPlan.Create(spec);
        var started = _time.GetTimestamp();
        var jobId = $"job_local{_time.GetUtcNow().ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)}_{Random.Shared.Next(10000):D4}";
        var remoteOutput = _store is not null && _store.Handles(spec.Output);
        var output = remoteOutput ? spec.Output.TrimEnd('/') : Path.GetFullPath(InputResolver.LocalPath(spec.Output));
        var result = new StreamingJobResult { JobId = jobId, OutputDirectory = output };
        result.Warnings.AddRange(spec.Warnings);
        result.Warnings.AddRange(plan.Warnings);
        // An object-URI output is committed by upload, so its intermediate files live on a local disk.
        var temporary = spec.TemporaryDirectory is not null ? Path.Combine(Path.GetFullPath(spec.TemporaryDirectory), jobId)
            : remoteOutput ? Path.Combine(Path.GetTempPath(), "sluice-streaming", jobId)
            : Path.Combine(output, "_temporary");
        var createdOutput = false;
        var createdTemporary = false;
        var tasksStarted = false;
        try
        {
            if (remoteOutput)
            {
                await PrepareRemoteOutputAsync(output, spec.Overwrite, cancellationToken).ConfigureAwait(false);
            }
            else if (Directory.Exists(output) || File.Exists(output))
            {
                if (!spec.Overwrite)
                {
                    throw new StreamingJobException($"Output directory {spec.Output} already exists; remove it or pass --overwrite.");
                }
                if (File.Exists(output))
                {
                    File.Delete(output);
                }
                else
                {
                    Directory.Delete(output, recursive: true);
                }
            }
            var files = await InputResolver.ResolveAsync(spec.Inputs, plan.RecursiveInput, _store, cancellationToken).ConfigureAwait(false);
            var splitSize = plan.SplitSize > 0 ? plan.SplitSize : InputResolver.SplitSize(files, plan.MapTasksHint, plan.MinSplitSize);
            var splits = InputResolver.Split(files, splitSize);
            if (!remoteOutput)
            {
                Directory.CreateDirectory(output);
                createdOutput = true;
            }
            Directory.CreateDirectory(temporary);
            createdTemporary = true;
            var links = await CacheLocalizer.LocalizeAsync(spec.Files, spec.Archives, temporary, _store, cancellationToken).ConfigureAwait(false);
            using var run = new JobRun(this, spec, plan, jobId, temporary, links, result);
            tasksStarted = true;
            var parts = await run.ExecuteAsync(splits, cancellationToken).ConfigureAwait(false);
            if (remoteOutput)
            {
                await UploadAsync(parts, output, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                foreach (var part in parts)
                {
                    File.Move(part, Path.Combine(output, Path.GetFileName(part)));
                }
                File.WriteAllBytes(Path.Combine(output, "_SUCCESS"), []);
            }
            result.OutputFiles.AddRange(parts.Select(Path.GetFileName).OfType<string>());
            result.State = StreamingJobState.Succeeded;
        }
        catch (StreamingStoreException e)
        {
            result.State = StreamingJobState.Failed;
            result.Error = e.Message;
        }
        catch (StreamingJobException e)
        {
            result.State = StreamingJobState.Failed;
            result.Error = e.Message;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            result.State = StreamingJobState.Cancelled;
            result.Error = "The job was cancelled.";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            result.State = StreamingJobState.Failed;
            result.Error = e.Message;
        }
        finally
        {
            if (createdTemporary)
            {
                Directories.TryDelete(temporary);
            }
            // Before any task ran the job never really started: leave no empty output behind that
            // would make the corrected re-run fail with "already exists".
            if (createdOutput && !tasksStarted)
            {
                Directories.TryDelete(output);
            }
            result.Elapsed = _time.GetElapsedTime(started);
        }
        return result;
    }

    /// <summary>
    /// An object-URI output must not exist (Hadoop's FileAlreadyExistsException): neither an object at the URI nor
    /// anything under it. With overwrite, all of it is deleted first.
    /// </summary>
    private async Task PrepareRemoteOutputAsync(string output, bool overwrite, CancellationToken cancellationToken)
    {
        var store = _store!;
        try
        {
            var existing = new List<string>();
            if (await store.HeadAsync(output, cancellationToken).ConfigureAwait(false) is { } self)
            {
                existing.Add(self.Uri);
            }
            await foreach (var entry in store.ListAsync(output, cancellationToken).ConfigureAwait(false))
            {
                existing.Add(entry.Uri);
                if (!overwrite)
                {
                    break;
                }
            }
            if (existing.Count == 0)
            {
                return;
            }
            if (!overwrite)
            {
                throw new StreamingJobException($"Output directory {output} already exists; remove it (sluice fs rm -r {output}/) or pass --overwrite.");
            }
            foreach (var uri in existing)
            {
                await store.DeleteAsync(uri, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (StreamingStoreException e)
        {
            throw new StreamingJobException($"Output {output}: {e.Message}");
        }
    }

    /// <summary>Commits to an object-URI output: every part file, then <c>_SUCCESS</c> once they are all there.</summary>
    private async Task UploadAsync(List<string> parts, string output, CancellationToken cancellationToken)
    {
        var store = _store!;
        await Parallel.ForEachAsync(parts, new ParallelOptions { MaxDegreeOfParallelism = ConcurrentUploads, CancellationToken = cancellationToken }, async (part, ct) =>
        {
            var content = new FileStream(part, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
            await using (content.ConfigureAwait(false))
            {
                await store.PutAsync($"{output}/{Path.GetFileName(part)}", content, ct).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
        using var empty = new MemoryStream([]);
        await store.PutAsync($"{output}/_SUCCESS", empty, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The state of one running job.</summary>
    private sealed class JobRun(
        StreamingEngine engine, StreamingJobSpec spec, JobPlan plan, string jobId, string temporary,
        Dictionary<string, string> links, StreamingJobResult result) : IDisposable
    {
        private readonly SemaphoreSlim _slots = new(plan.Parallelism);
        private readonly object _gate = new();

        /// <summary>Runs the map and reduce phases; returns the job's part files (in the temporary directory), ordered by name.</summary>
        public async Task<List<string>> ExecuteAsync(List<StreamingInputSplit> splits, CancellationToken cancellationToken)
        {
            result.MapTasks = splits.Count;
            result.ReduceTasks = plan.NumReduceTasks;
            var mapDirectories = await RunPhaseAsync(splits.Count, StreamingTaskKind.Map, i => NewMapTask(i, splits[i]), cancellationToken).ConfigureAwait(false);
            if (plan.NumReduceTasks == 0)
            {
                return Parts(mapDirectories);
            }
            var reduceDirectories = await RunPhaseAsync(plan.NumReduceTasks, StreamingTaskKind.Reduce, p => NewReduceTask(p, mapDirectories), cancellationToken).ConfigureAwait(false);
            return Parts(reduceDirectories);
        }

        public void Dispose() => _slots.Dispose();

        private static List<string> Parts(string[] directories) =>
            directories.SelectMany(d => Directory.EnumerateFiles(d, "part-*")).OrderBy(Path.GetFileName, StringComparer.Ordinal).ToList();

        /// <summary>Runs all tasks of a phase; returns each task's committed output directory.</summary>
        private async Task<string[]> RunPhaseAsync(int count, StreamingTaskKind kind, Func<int, StreamingTaskSpec> create, CancellationToken cancellationToken)
        {
            using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var directories = new string[count];
            string? firstError = null;
            var tasks = Enumerable.Range(0, count).Select(async index =>
            {
                try
                {
                    directories[index] = await RunTaskAsync(kind, index, create, failed.Token).ConfigureAwait(false);
                }
                catch (StreamingJobException e)
                {
                    lock (_gate)
                    {
                        firstError ??= e.Message;
                    }
                    await failed.CancelAsync().ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (failed.IsCancellationRequested)
                {
                }
            }).ToList();
            await Task.WhenAll(tasks).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (firstError is not null)
            {
                throw new StreamingJobException(firstError);
            }
            return directories;
        }

        private async Task<string> RunTaskAsync(StreamingTaskKind kind, int index, Func<int, StreamingTaskSpec> create, CancellationToken cancellationToken)
        {
            var maxAttempts = kind == StreamingTaskKind.Map ? plan.MapMaxAttempts : plan.ReduceMaxAttempts;
            var side = kind == StreamingTaskKind.Map ? "map" : "reduce";
            StreamingTaskResult? last = null;
            var taskId = "";
            for (var attempt = 0; attempt < maxAttempts; attempt++)
            {
                var task = create(index);
                taskId = task.TaskId;
                task.Attempt = attempt;
                var attemptId = $"attempt_{task.TaskId["task_".Length..]}_{attempt}";
                task.OutputDirectory = Path.Combine(temporary, "attempts", attemptId);
                task.WorkingDirectory = Path.Combine(temporary, "work", attemptId);
                task.Environment["mapreduce_task_attempt_id"] = attemptId;
                task.Environment["mapred_task_id"] = attemptId;
                await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    last = await engine._executor.ExecuteAsync(task, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    _slots.Release();
                }
                lock (_gate)
                {
                    result.Counters.Increment(StreamingCounters.JobGroup, kind == StreamingTaskKind.Map ? "Launched map tasks" : "Launched reduce tasks", 1);
                    if (last.Status is not null)
                    {
                        result.Status = last.Status;
                    }
                    if (last.Succeeded)
                    {
                        result.Counters.Add(last.Counters);
                    }
                    else
                    {
                        result.Counters.Increment(StreamingCounters.JobGroup, kind == StreamingTaskKind.Map ? "Failed map tasks" : "Failed reduce tasks", 1);
                    }
                }
                if (last.Succeeded)
                {
                    var committed = Path.Combine(temporary, side, task.TaskId);
                    Directory.CreateDirectory(Path.GetDirectoryName(committed)!);
                    Directory.Move(task.OutputDirectory, committed);
                    return committed;
                }
                cancellationToken.ThrowIfCancellationRequested();
            }
            var message = new StringBuilder($"{side} task {index} ({taskId}) failed {maxAttempts} attempt(s): {last!.Error}");
            if (last.StderrTail.Length > 0)
            {
                message.Append("\nstderr (last lines):\n").Append(last.StderrTail);
            }
            throw new StreamingJobException(message.ToString());
        }

        private StreamingTaskSpec NewTask(StreamingTaskKind kind, int index)
        {
            var letter = kind == StreamingTaskKind.Map ? 'm' : 'r';
            var taskId = $"task_{jobId["job_".Length..]}_{letter}_{index:D6}";
            var task = new StreamingTaskSpec
            {
                TaskId = taskId,
                Kind = kind,
                Index = index,
                NumPartitions = plan.NumReduceTasks,
                Settings = plan.Settings,
            };
            foreach (var (name, target) in links)
            {
                task.Links[name] = target;
            }
            task.RemoveEnvironment.Add("PYTHONUNBUFFERED"); // makes every python print a write(2); jobs may set it back
            foreach (var (key, value) in spec.Configuration)
            {
                task.Environment[SafeEnvironmentName(key)] = value;
            }
            var isMap = kind == StreamingTaskKind.Map ? "true" : "false";
            task.Environment["mapreduce_job_id"] = jobId;
            task.Environment["mapred_job_id"] = jobId;
            task.Environment["mapreduce_task_id"] = taskId;
            task.Environment["mapreduce_task_ismap"] = isMap;
            task.Environment["mapred_task_is_map"] = isMap;
            task.Environment["mapreduce_task_partition"] = index.ToString(CultureInfo.InvariantCulture);
            task.Environment["mapred_task_partition"] = index.ToString(CultureInfo.InvariantCulture);
            task.Environment["mapreduce_job_reduces"] = plan.NumReduceTasks.ToString(CultureInfo.InvariantCulture);
            foreach (var (key, value) in spec.Environment)
            {
                task.Environment[key] = value;
            }
            return task;
        }

        private StreamingTaskSpec NewMapTask(int index, StreamingInputSplit split)
        {
            var task = NewTask(StreamingTaskKind.Map, index);
            task.Command = plan.Mapper;
            task.Combiner = plan.Combiner;
            task.Split = split;
            var file = engine._store is not null && engine._store.Handles(split.Path) ? split.Path : "file:" + split.Path;
            var start = split.Start.ToString(CultureInfo.InvariantCulture);
            var length = split.Length.ToString(CultureInfo.InvariantCulture);
            foreach (var prefix in new[] { "mapreduce_map_input_", "map_input_" })
            {
                task.Environment[prefix + "file"] = file;
                task.Environment[prefix + "start"] = start;
                task.Environment[prefix + "length"] = length;
            }
            return task;
        }

        private StreamingTaskSpec NewReduceTask(int partition, string[] mapDirectories)
        {
            var task = NewTask(StreamingTaskKind.Reduce, partition);
            task.Command = plan.Reducer;
            task.MapOutputs.AddRange(mapDirectories.Select(d => Path.Combine(d, StreamingTaskWorker.MapOutputName(partition))));
            return task;
        }

        /// <summary>Hadoop's PipeMapRed.safeEnvVarName: every character that is not a letter or digit becomes '_'.</summary>
        private static string SafeEnvironmentName(string name) =>
            string.Create(name.Length, name, (span, source) =>
            {
                for (var i = 0; i < source.Length; i++)
                {
                    span[i] = char.IsAsciiLetterOrDigit(source[i]) ? source[i] : '_';
                }
            });
    }
}
