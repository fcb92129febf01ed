using System.Runtime.CompilerServices;
using System.Text;

namespace Sluice.Streaming.Internal;

/// <summary>
/// Map side of the shuffle: splits mapper output lines into key/value, partitions, buffers, sorts and
/// spills past the sort buffer, runs the combiner per spill and partition, and merges spills into one
/// sorted file per partition (<c>map-P.out</c>).
/// </summary>
internal sealed class MapOutputCollector
{
    private readonly StreamingTaskSpec _task;
    private readonly StreamingTaskResult _result;
    private readonly SortBuffer _buffer;
    private readonly Partitioner _partitioner;
    private readonly FieldSplitter _splitter;
    private readonly KeyComparer _comparer;
    private readonly List<string[]> _spills = [];
    private readonly HashCombiner? _hashCombiner;
    private readonly string? _combiner;

    public MapOutputCollector(StreamingTaskSpec task, StreamingTaskResult result)
    {
        _task = task;
        _result = result;
        var settings = task.Settings;
        _partitioner = new Partitioner(task.NumPartitions, settings);
        _splitter = new FieldSplitter(Encoding.UTF8.GetBytes(settings.MapOutputFieldSeparator), settings.MapOutputKeyFields);
        _comparer = KeyComparer.Create(settings);
        // The in-process aggregate combiner combines on arrival (half the sort budget); a command
        // combiner runs per sorted spill.
        if (Aggregate.Is(task.Combiner))
        {
            _hashCombiner = new HashCombiner(settings.SortBufferBytes / 2);
            _buffer = new SortBuffer(settings.SortBufferBytes / 2, task.NumPartitions);
        }
        else
        {
            _combiner = task.Combiner;
            _buffer = new SortBuffer(settings.SortBufferBytes, task.NumPartitions);
        }
    }

    public long Records { get; private set; }

    public long Bytes { get; private set; }

    public static string OutputName(int partition) => $"map-{partition:D5}.out";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(ReadOnlySpan<byte> line)
    {
        var keyLength = _splitter.KeyLength(line, out var valueStart);
        var key = line[..keyLength];
        var value = valueStart < 0 ? [] : line[valueStart..];
        Records++;
        Bytes += key.Length + value.Length;
        if (_hashCombiner is not null)
        {
            _hashCombiner.Add(key, value, _partitioner);
            if (_hashCombiner.Full)
            {
                FlushCombiner();
            }
            return;
        }
        Buffer(key, value, _partitioner.Partition(key));
    }

    private void Buffer(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, int partition)
    {
        if (!_buffer.TryAdd(key, value, partition))
        {
            Spill();
            _buffer.TryAdd(key, value, partition);
        }
    }

    /// <summary>Writes the final per-partition files.</summary>
    public void Finish()
    {
        if (_hashCombiner is not null)
        {
            FlushCombiner();
            Count(StreamingCounters.CombineInputRecords, _hashCombiner.InputRecords);
            Count(StreamingCounters.CombineOutputRecords, _hashCombiner.OutputRecords);
        }
        if (_spills.Count == 0)
        {
            WriteSorted(OutputName);
            return;
        }
        // The records still in memory join the merge from the buffer, as its last (latest) run, instead of
        // through one more spill file; a command combiner only runs as records spill, so then they spill.
        var lastRunInMemory = _buffer.Count > 0 && _combiner is null;
        if (lastRunInMemory)
        {
            _buffer.Sort(_comparer);
        }
        else if (_buffer.Count > 0)
        {
            Spill();
        }
        for (var p = 0; p < _task.NumPartitions; p++)
        {
            var runs = _spills.Select(s => (RecordSource)new RunReader(s[p], 1 << 18)).ToList();
            if (lastRunInMemory)
            {
                runs.Add(_buffer.Partition(p));
            }
            using (var merged = new MergingSource(runs, _comparer))
            {
                Count(StreamingCounters.SpilledRecords, RunFile.WriteAll(Path.Combine(_task.OutputDirectory, OutputName(p)), merged));
            }
            foreach (var spill in _spills)
            {
                File.Delete(spill[p]);
            }
        }
    }

    private void FlushCombiner() => _hashCombiner!.Flush(Buffer);

    private void Spill()
    {
        var n = _spills.Count;
        _spills.Add(WriteSorted(p => $"spill{n}-{p:D5}.tmp"));
        _buffer.Clear();
    }

    private string[] WriteSorted(Func<int, string> name)
    {
        _buffer.Sort(_comparer);
        var paths = new string[_task.NumPartitions];
        for (var p = 0; p < paths.Length; p++)
        {
            paths[p] = Path.Combine(_task.OutputDirectory, name(p));
            using var source = _buffer.Partition(p);
            if (_combiner is null)
            {
                Count(StreamingCounters.SpilledRecords, RunFile.WriteAll(paths[p], source));
            }
            else
            {
                Combine(source, paths[p]);
            }
        }
        return paths;
    }

    /// <summary>Runs the combiner command over one sorted partition of a spill and writes its (re-sorted) output.</summary>
    private void Combine(RecordSource source, string path)
    {
        var groups = new GroupCounter(_comparer);
        // Combiner output is re-sorted: a command is not trusted to keep key order.
        var combined = new SortBuffer(long.MaxValue, 1);
        using (var child = StreamingCommandProcess.Start(_combiner!, _task))
        {
            var separator = Encoding.UTF8.GetBytes(_task.Settings.ReduceInputFieldSeparator);
            var exit = CommandPipe.Run(child, source, separator, groups, line =>
            {
                var keyLength = _splitter.KeyLength(line, out var valueStart);
                combined.TryAdd(line[..keyLength], valueStart < 0 ? [] : line[valueStart..], 0);
            });
            child.Report(_result);
            if (exit != 0 && _task.Settings.NonZeroExitIsFailure)
            {
                throw new StreamingTaskException($"combiner '{_combiner}' exited with code {exit}.", exit);
            }
        }
        combined.Sort(_comparer);
        using var sorted = combined.Partition(0);
        var output = RunFile.WriteAll(path, sorted);
        Count(StreamingCounters.CombineInputRecords, groups.Records);
        Count(StreamingCounters.CombineOutputRecords, output);
        Count(StreamingCounters.SpilledRecords, output);
    }

    private void Count(string name, long amount) => _result.Counters.Increment(StreamingCounters.FrameworkGroup, name, amount);
}
