using System.Text;
using System.Text.Json;

namespace Sluice.Backends.Local.Agent;

/// <summary>
/// The exits of keyed launches that the server has not acknowledged yet, kept in memory and in an append-only file, so
/// that a server that died before it recorded an end learns it after its restart (and an agent that restarts still knows
/// the ends it had seen). Lines are <c>E {record}</c> and <c>A {key}</c>; the file is rewritten with only what is
/// pending once it has grown well past that.
/// </summary>
internal sealed class AgentExitJournal : IDisposable
{
    private const int CompactAfterLines = 10_000;

    private readonly string _path;
    private readonly Dictionary<string, AgentExitRecord> _pending = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private StreamWriter _writer;
    private int _lines;

    public AgentExitJournal(string path)
    {
        _path = path;
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path))
            {
                Apply(line);
            }
        }
        _writer = Rewrite();
    }

    /// <summary>The exit recorded for a key and not yet acknowledged.</summary>
    public AgentExitRecord? Find(string key)
    {
        lock (_gate)
        {
            return _pending.GetValueOrDefault(key);
        }
    }

    public void Record(AgentExitRecord record)
    {
        lock (_gate)
        {
            _pending[record.Key] = record;
            Write("E " + JsonSerializer.Serialize(record, AgentJson.Default.AgentExitRecord));
        }
    }

    public void Acknowledge(string key)
    {
        lock (_gate)
        {
            if (_pending.Remove(key))
            {
                Write("A " + key);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _writer.Dispose();
        }
    }

    // The key of an ack is the rest of the line: keys hold no line breaks (job, task and index names never do).
    private void Apply(string line)
    {
        if (line.StartsWith("E ", StringComparison.Ordinal))
        {
            try
            {
                if (JsonSerializer.Deserialize(line.AsSpan(2), AgentJson.Default.AgentExitRecord) is { } record)
                {
                    _pending[record.Key] = record;
                }
            }
            catch (JsonException)
            {
                // A line cut short by a crash of the agent while writing it: that exit is lost, as the process was.
            }
        }
        else if (line.StartsWith("A ", StringComparison.Ordinal))
        {
            _pending.Remove(line[2..]);
        }
    }

    private void Write(string line)
    {
        // Flushed per line: the page cache survives the death of the server and of the agent, which is what this guards.
        _writer.WriteLine(line);
        _writer.Flush();
        if (++_lines > CompactAfterLines && _lines > 4 * _pending.Count)
        {
            _writer.Dispose();
            _writer = Rewrite();
        }
    }

    private StreamWriter Rewrite()
    {
        var temporary = _path + ".new";
        using (var writer = new StreamWriter(temporary, append: false, new UTF8Encoding(false)))
        {
            foreach (var record in _pending.Values)
            {
                writer.WriteLine("E " + JsonSerializer.Serialize(record, AgentJson.Default.AgentExitRecord));
            }
        }
        File.Move(temporary, _path, overwrite: true);
        _lines = _pending.Count;
        return new StreamWriter(new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
    }
}
