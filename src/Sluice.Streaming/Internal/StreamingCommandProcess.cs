using System.Diagnostics;
using System.Text;

namespace Sluice.Streaming.Internal;

/// <summary>
/// A mapper, reducer or combiner process with piped stdin/stdout. Stderr is pumped on its own thread:
/// <c>reporter:</c> lines become counters and status, the rest is kept as a tail for error messages.
/// </summary>
internal sealed class StreamingCommandProcess : IDisposable
{
    private const int TailLines = 20;
    private readonly Process _process;
    private readonly Thread _stderrThread;
    private readonly Queue<string> _tail = new();
    private readonly StreamingCounters _counters = new();
    private readonly string _reporterPrefix;
    private readonly object _gate = new();
    private string? _status;

    private StreamingCommandProcess(Process process, string reporterPrefix)
    {
        _process = process;
        _reporterPrefix = reporterPrefix;
        _stderrThread = new Thread(PumpStderr) { IsBackground = true, Name = "streaming-stderr" };
        _stderrThread.Start();
    }

    public Stream Stdin => _process.StandardInput.BaseStream;

    public Stream Stdout => _process.StandardOutput.BaseStream;

    public string CommandText { get; private init; } = "";

    public static StreamingCommandProcess Start(string command, StreamingTaskSpec task)
    {
        var argv = CommandLine.Split(command);
        var info = new ProcessStartInfo(CommandLine.ResolveProgram(argv[0], task.WorkingDirectory))
        {
            WorkingDirectory = task.WorkingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        for (var i = 1; i < argv.Count; i++)
        {
            info.ArgumentList.Add(argv[i]);
        }
        foreach (var name in task.RemoveEnvironment)
        {
            info.Environment.Remove(name);
        }
        foreach (var (name, value) in task.Environment)
        {
            info.Environment[name] = value;
        }
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new StreamingTaskException($"could not start '{command}'");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new StreamingTaskException($"could not start '{command}': {e.Message}", exitCode: 127);
        }
        PipeTuning.Enlarge(process);
        return new StreamingCommandProcess(process, task.Settings.ReporterPrefix) { CommandText = command };
    }

    /// <summary>Closes stdin; a command that exited early (closed its end) is not an error here.</summary>
    public void CloseStdin()
    {
        try
        {
            _process.StandardInput.BaseStream.Dispose();
        }
        catch (IOException)
        {
        }
    }

    public async Task<int> WaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw;
        }
        _stderrThread.Join();
        return _process.ExitCode;
    }

    /// <summary>Blocking wait, for callers already on a dedicated thread.</summary>
    public int WaitForExit()
    {
        _process.WaitForExit();
        _stderrThread.Join();
        return _process.ExitCode;
    }

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <summary>Moves counters, status and stderr tail into the task result (after <see cref="WaitAsync"/>).</summary>
    public void Report(StreamingTaskResult result)
    {
        lock (_gate)
        {
            result.Counters.Add(_counters);
            if (_status is not null)
            {
                result.Status = _status;
            }
            if (_tail.Count > 0)
            {
                var tail = string.Join('\n', _tail);
                result.StderrTail = result.StderrTail.Length == 0 ? tail : result.StderrTail + "\n" + tail;
            }
        }
    }

    public string StderrTail()
    {
        lock (_gate)
        {
            return string.Join('\n', _tail);
        }
    }

    private void PumpStderr()
    {
        var reader = new StreamReader(_process.StandardError.BaseStream, Encoding.UTF8, false, 1 << 16);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lock (_gate)
            {
                if (line.StartsWith(_reporterPrefix, StringComparison.Ordinal) && TryReport(line.AsSpan(_reporterPrefix.Length)))
                {
                    continue;
                }
                _tail.Enqueue(line.Length > 1000 ? line[..1000] + "..." : line);
                if (_tail.Count > TailLines)
                {
                    _tail.Dequeue();
                }
            }
        }
    }

    private bool TryReport(ReadOnlySpan<char> rest)
    {
        if (rest.StartsWith("counter:", StringComparison.Ordinal))
        {
            // reporter:counter:<group>,<counter>,<amount>; like Hadoop, exactly three comma-separated parts.
            var parts = rest["counter:".Length..].ToString().Split(',');
            if (parts.Length == 3 && long.TryParse(parts[2].Trim(), out var amount))
            {
                _counters.Increment(parts[0], parts[1], amount);
                return true;
            }
            return false;
        }
        if (rest.StartsWith("status:", StringComparison.Ordinal))
        {
            _status = rest["status:".Length..].ToString();
            return true;
        }
        return false;
    }

    public void Dispose() => _process.Dispose();
}
