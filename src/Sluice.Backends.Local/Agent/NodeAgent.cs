using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Core.Ports;

namespace Sluice.Backends.Local.Agent;

/// <summary>
/// The node agent: a long-lived process per data directory that runs the local backend for the server, so that tasks are
/// its children, not the server's. When the server dies the agent and its tasks go on; the agent records each keyed end
/// (<see cref="AgentExitJournal"/>) and the restarted server adopts what still runs and learns what ended meanwhile, with
/// real exit codes. It serves one server connection at a time (a new one replaces the old: the old server is gone) and
/// exits once no server is connected and nothing runs — at once after a server's <c>bye</c>, else after
/// <see cref="IdleExit"/>.
/// </summary>
public sealed partial class NodeAgent : IDisposable
{
    /// <summary>How long an agent with no server and no tasks waits for a server to come back before it exits.</summary>
    public static readonly TimeSpan IdleExit = TimeSpan.FromSeconds(30);

    private readonly LocalBackend _backend;
    private readonly AgentExitJournal _journal;
    private readonly string _fingerprint;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, (IRunningProcess Process, string WorkingDirectory, bool Keyed)> _running = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _stop = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Launches and adoptions one at a time: an adopt must see every launch the agent took before it, finished.
    private readonly SemaphoreSlim _launches = new(1, 1);
    // Keyed launches refused as stale, until the server that took over asks about them.
    private readonly HashSet<string> _refused = new(StringComparer.Ordinal);
    private Channel<string>? _outbox;
    private bool _byeReceived;
    private volatile bool _shuttingDown;
    private DateTimeOffset _idleSince = DateTimeOffset.UtcNow;

    private NodeAgent(LocalBackendOptions options, string fingerprint, ILogger logger)
    {
        _backend = new LocalBackend(options);
        _journal = new AgentExitJournal(new AgentFiles(options.RootDirectory).Journal);
        _fingerprint = fingerprint;
        _logger = logger;
    }

    /// <summary>Runs an agent with the settings in <paramref name="optionsPath"/> (written by the server) until it is idle; returns the exit code.</summary>
    public static async Task<int> RunAsync(string optionsPath, ILogger? logger = null)
    {
        var json = await File.ReadAllTextAsync(optionsPath).ConfigureAwait(false);
        var options = JsonSerializer.Deserialize(json, AgentJson.Default.LocalBackendOptions)
            ?? throw new InvalidOperationException($"{optionsPath} holds no local backend options");
        var files = new AgentFiles(options.RootDirectory);
        using var listener = Bind(files.Socket);
        if (listener is null)
        {
            // Another agent answers on this socket: it serves this data directory.
            return 0;
        }
        await File.WriteAllTextAsync(files.Pid, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)).ConfigureAwait(false);
        using var agent = new NodeAgent(options, AgentFiles.Fingerprint(json), logger ?? NullLogger.Instance);
        // SIGTERM (an operator's kill, a test's clean-up) ends the tasks too: an agent never leaves them unwatched.
        using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            _ = agent.ShutdownAsync();
        });
        try
        {
            await agent.ServeAsync(listener).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(files.Socket);
            File.Delete(files.Pid);
        }
        return 0;
    }

    public void Dispose()
    {
        _journal.Dispose();
        _launches.Dispose();
    }

    private static Socket? Bind(string path)
    {
        if (File.Exists(path))
        {
            using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                return null;
            }
            catch (SocketException)
            {
                File.Delete(path);
            }
        }
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(4);
        return listener;
    }

    private async Task ServeAsync(Socket listener)
    {
        var accepting = AcceptAsync(listener);
        while (!_stop.Task.IsCompleted)
        {
            await Task.WhenAny(_stop.Task, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
            if (_running.IsEmpty && Volatile.Read(ref _outbox) is null && (_byeReceived || DateTimeOffset.UtcNow - _idleSince > IdleExit))
            {
                break;
            }
        }
        listener.Close();
        await accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task AcceptAsync(Socket listener)
    {
        while (true)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = ServeConnectionAsync(connection);
        }
    }

    private async Task ServeConnectionAsync(Socket connection)
    {
        var outbox = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        // The newest connection is the server's; an older one belongs to a server that died.
        Interlocked.Exchange(ref _outbox, outbox)?.Writer.TryComplete();
        _byeReceived = false;
        using var stream = new NetworkStream(connection, ownsSocket: true);
        var sending = SendAsync(stream, outbox);
        try
        {
            using var reader = new StreamReader(stream, new UTF8Encoding(false), leaveOpen: true);
            while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                var message = JsonSerializer.Deserialize(line, AgentJson.Default.AgentMessage);
                if (message is not null)
                {
                    await HandleAsync(message, outbox).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            LogConnectionEnded(_logger, ex.Message);
        }
        catch (Exception ex)
        {
            // A message it cannot read or a request that broke: this connection ends, the tasks go on, the server reconnects.
            LogConnectionFailed(_logger, ex);
        }
        finally
        {
            outbox.Writer.TryComplete();
            if (Interlocked.CompareExchange(ref _outbox, null, outbox) == outbox)
            {
                _idleSince = DateTimeOffset.UtcNow;
            }
            await sending.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static async Task SendAsync(NetworkStream stream, Channel<string> outbox)
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
        // Everything queued goes out in one flush.
        while (await outbox.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (outbox.Reader.TryRead(out var line))
            {
                await writer.WriteLineAsync(line).ConfigureAwait(false);
            }
            await writer.FlushAsync().ConfigureAwait(false);
        }
    }

    private static void Send(Channel<string>? outbox, AgentMessage message) =>
        outbox?.Writer.TryWrite(JsonSerializer.Serialize(message, AgentJson.Default.AgentMessage));

    private async Task HandleAsync(AgentMessage message, Channel<string> outbox)
    {
        switch (message.Op)
        {
            case "hello":
                Send(outbox, new AgentMessage { Op = "reply", Id = message.Id, Fingerprint = _fingerprint, ProcessId = Environment.ProcessId });
                break;
            case "provision":
                await ReplyAsync(outbox, message.Id, async () =>
                    new AgentMessage { Op = "reply", Id = message.Id, Nodes = await _backend.ProvisionAsync(message.Provision!, CancellationToken.None).ConfigureAwait(false) }).ConfigureAwait(false);
                break;
            case "release":
                // Ending a node's processes waits for them: answered when done, while other requests go on.
                _ = ReplyAsync(outbox, message.Id, async () =>
                {
                    await _backend.ReleaseAsync(message.ClusterId!, message.NodeIds!, CancellationToken.None).ConfigureAwait(false);
                    return new AgentMessage { Op = "reply", Id = message.Id };
                });
                break;
            case "launch":
                await ReplyAsync(outbox, message.Id, () => LaunchAsync(message, outbox)).ConfigureAwait(false);
                break;
            case "kill" when _running.TryGetValue(message.Handle!, out var killed):
                _ = killed.Process.KillAsync(CancellationToken.None);
                break;
            case "interrupt" when _running.TryGetValue(message.Handle!, out var interrupted):
                _ = interrupted.Process.InterruptAsync(CancellationToken.None);
                break;
            case "adopt":
                await ReplyAsync(outbox, message.Id, () => AdoptAsync(message.Keys!)).ConfigureAwait(false);
                break;
            case "ack":
                _journal.Acknowledge(message.Handle!);
                break;
            case "bye":
                _byeReceived = true;
                break;
            case "shutdown":
                await ShutdownAsync().ConfigureAwait(false);
                Send(outbox, new AgentMessage { Op = "reply", Id = message.Id });
                break;
        }
    }

    /// <summary>Kills every process and stops the agent.</summary>
    private async Task ShutdownAsync()
    {
        _shuttingDown = true;
        foreach (var (_, run) in _running)
        {
            _ = run.Process.KillAsync(CancellationToken.None);
        }
        await Task.WhenAll(_running.Values.Select(r => r.Process.Completion)).ConfigureAwait(false);
        _stop.TrySetResult();
    }

    /// <remarks>
    /// A launch read from a connection that a newer one replaced is refused: its server is gone, and the new one may have
    /// asked already what runs (<see cref="AdoptAsync"/>) and found it not, so it launches that attempt again itself. Such a
    /// launch is no rare thing: a server killed right after sending launches leaves them unread in the socket.
    /// </remarks>
    private async Task<AgentMessage> LaunchAsync(AgentMessage message, Channel<string> outbox)
    {
        var request = message.Launch!;
        var handle = message.Handle!;
        await _launches.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _outbox) != outbox)
            {
                if (request.Key is not null)
                {
                    _refused.Add(request.Key);
                }
                throw new InvalidOperationException($"launch '{handle}' came from a server that another replaced");
            }
            if (_running.ContainsKey(handle) || (request.Key is not null && _journal.Find(request.Key) is not null))
            {
                throw new InvalidOperationException($"launch '{handle}' was made already");
            }
            var process = await _backend.LaunchAsync(request, CancellationToken.None).ConfigureAwait(false);
            _running[handle] = (process, request.WorkingDirectory, request.Key is not null);
            _ = process.Completion.ContinueWith(t => OnExited(handle, process, request, t.Result), TaskScheduler.Default);
            return new AgentMessage { Op = "reply", BackendId = process.BackendId };
        }
        finally
        {
            _launches.Release();
        }
    }

    private void OnExited(string handle, IRunningProcess process, LaunchRequest request, ProcessExit exit)
    {
        // An end the agent caused by shutting down is not the task's: left out, the attempt is lost to the next server
        // (NodeLost, retried), as it would be had the agent died.
        if (request.Key is not null && !_shuttingDown)
        {
            // Recorded before it is sent: a server that dies before it records the end asks again after its restart.
            _journal.Record(new AgentExitRecord(request.Key, process.BackendId, request.WorkingDirectory, exit));
        }
        _running.TryRemove(handle, out _);
        if (_running.IsEmpty)
        {
            _idleSince = DateTimeOffset.UtcNow;
        }
        Send(Volatile.Read(ref _outbox), new AgentMessage { Op = "exited", Handle = handle, Exit = exit });
    }

    private async Task<AgentMessage> AdoptAsync(IReadOnlyList<string> keys)
    {
        await _launches.WaitAsync().ConfigureAwait(false);
        try
        {
            var refused = keys.Where(_refused.Remove).ToList();
            return new AgentMessage { Op = "reply", Adopted = Adopt(keys), NotLaunched = refused };
        }
        finally
        {
            _launches.Release();
        }
    }

    private List<AgentAdoption> Adopt(IReadOnlyList<string> keys)
    {
        var adopted = new List<AgentAdoption>();
        foreach (var key in keys)
        {
            if (_running.TryGetValue(key, out var run) && run.Keyed)
            {
                adopted.Add(new AgentAdoption(key, run.Process.BackendId, run.WorkingDirectory, null));
            }
            else if (_journal.Find(key) is { } ended)
            {
                adopted.Add(new AgentAdoption(key, ended.BackendId, ended.WorkingDirectory, ended.Exit));
            }
        }
        return adopted;
    }

    private async Task ReplyAsync(Channel<string> outbox, long id, Func<Task<AgentMessage>> work)
    {
        AgentMessage reply;
        try
        {
            reply = (await work().ConfigureAwait(false)) with { Id = id };
        }
        catch (Exception ex)
        {
            reply = new AgentMessage { Op = "reply", Id = id, Error = ex.Message };
        }
        Send(outbox, reply);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "the server's connection failed")]
    private static partial void LogConnectionFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "the server's connection ended: {Reason}")]
    private static partial void LogConnectionEnded(ILogger logger, string reason);
}
