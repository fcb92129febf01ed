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
    private readonly IStreamingTaskExecutor _executor;
    private readonly TimeProvider _time;

    public StreamingEngine()
        : this(new LocalStreamingTaskExecutor())
    {
    }

    public StreamingEngine(IStreamingTaskExecutor executor, TimeProvider? timeProvider = null)
    {
        _executor = executor;
        _time = timeProvider ?? TimeProvider.System;
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
        var output = Path.GetFullPath(InputResolver.LocalPath(spec.Output));
        var result = new StreamingJobResult { JobId = jobId, OutputDirectory = output };
        result.Warnings.AddRange(spec.Warnings);
        result.Warnings.AddRange(plan.Warnings);
        var temporary = spec.TemporaryDirectory is null ? Path.Combine(output, "_temporary") : Path.Combine(Path.GetFullPath(spec.TemporaryDirectory), jobId);
        var createdOutput = false;
        var tasksStarted = false;
        try
        {
            if (Directory.Exists(output) || File.Exists(output))
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
            var files = InputResolver.ResolveFiles(spec.Inputs, plan.RecursiveInput);
            var splitSize = plan.SplitSize > 0 ? plan.SplitSize : InputResolver.SplitSize(files, plan.MapTasksHint, plan.MinSplitSize);
            var splits = InputResolver.Split(files, splitSize);
            Directory.CreateDirectory(output);
            createdOutput = true;
            Directory.CreateDirectory(temporary);
            var links = CacheLocalizer.Localize(spec.Files, spec.Archives, temporary);
            using var run = new JobRun(this, spec, plan, jobId, output, temporary, links, result);
            tasksStarted = true;
            await run.ExecuteAsync(splits, cancellationToken).ConfigureAwait(false);
            File.WriteAllBytes(Path.Combine(output, "_SUCCESS"), []);
            result.State = StreamingJobState.Succeeded;
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
            if (createdOutput)
            {
                // Before any task ran the job never really started: leave no empty output behind that
                // would make the corrected re-run fail with "already exists".
                Directories.TryDelete(temporary);
                if (!tasksStarted)
                {
                    Directories.TryDelete(output);
                }
            }
            result.Elapsed = _time.GetElapsedTime(started);
        }
        return result;
    }

    /// <summary>The state of one running job.</summary>
    private sealed class JobRun(
        StreamingEngine engine, StreamingJobSpec spec, JobPlan plan, string jobId, string output, string temporary,
        Dictionary<string, string> links, StreamingJobResult result) : IDisposable
    {
        private readonly SemaphoreSlim _slots = new(plan.Parallelism);
        private readonly object _gate = new();

        public async Task ExecuteAsync(List<StreamingInputSplit> splits, CancellationToken cancellationToken)
        {
            result.MapTasks = splits.Count;
            result.ReduceTasks = plan.NumReduceTasks;
            var mapDirectories = await RunPhaseAsync(splits.Count, StreamingTaskKind.Map, i => NewMapTask(i, splits[i]), cancellationToken).ConfigureAwait(false);
            if (plan.NumReduceTasks == 0)
            {
                Commit(mapDirectories);
                return;
            }
            var reduceDirectories = await RunPhaseAsync(plan.NumReduceTasks, StreamingTaskKind.Reduce, p => NewReduceTask(p, mapDirectories), cancellationToken).ConfigureAwait(false);
            Commit(reduceDirectories);
        }

        public void Dispose() => _slots.Dispose();

        private void Commit(string[] directories)
        {
            foreach (var directory in directories)
            {
                foreach (var file in Directory.EnumerateFiles(directory, "part-*").Order(StringComparer.Ordinal))
                {
                    var name = Path.GetFileName(file);
                    File.Move(file, Path.Combine(output, name));
                    result.OutputFiles.Add(name);
                }
            }
            result.OutputFiles.Sort(StringComparer.Ordinal);
        }

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
            var file = "file:" + split.Path;
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
