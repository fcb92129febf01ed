using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Core.Ports;

namespace Sluice.Backends.Local.Agent;

/// <summary>
/// The local backend run through a node agent (<see cref="NodeAgent"/>): the same nodes and processes as
/// <see cref="LocalBackend"/>, but the processes are the agent's children, so they outlive the server and a restarted server
/// adopts them (<see cref="AdoptAsync"/>). The agent is started on first use (detached, in its own session) from
/// <see cref="LocalBackendOptions.NodeAgentCommand"/>, and replaced when it is of another build or settings.
/// </summary>
public sealed partial class NodeAgentBackend : IComputeBackend, IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly LocalBackendOptions _options;
    private readonly LocalBackend _sessions;
    private readonly AgentFiles _files;
    private readonly string _optionsJson;
    private readonly string _fingerprint;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private readonly ConcurrentDictionary<long, TaskCompletionSource<AgentMessage>> _requests = new();
    private readonly ConcurrentDictionary<string, AgentProcess> _processes = new(StringComparer.Ordinal);
    private Connection? _connection;
    private volatile bool _disposing;
    private long _nextId;
    private long _nextHandle;
    private readonly string _handlePrefix = "h" + Guid.NewGuid().ToString("N")[..8] + "-";

    /// <summary>Creates the backend; nothing is started until it is first used.</summary>
    /// <param name="options">The local backend's settings, with <see cref="LocalBackendOptions.NodeAgentCommand"/>.</param>
    /// <param name="logger">Optional logger.</param>
    public NodeAgentBackend(LocalBackendOptions options, ILogger<NodeAgentBackend>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.NodeAgentCommand is not { Count: > 0 })
        {
            throw new ArgumentException("LocalBackendOptions.NodeAgentCommand is required to run a node agent.", nameof(options));
        }
        _options = options;
        _files = new AgentFiles(options.RootDirectory);
        _optionsJson = JsonSerializer.Serialize(options, AgentJson.Default.LocalBackendOptions);
        _fingerprint = AgentFiles.Fingerprint(_optionsJson);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        // What the agent's backend will guarantee: the same settings give the same answer here.
        _sessions = new LocalBackend(options);
        Isolation = _sessions.Isolation;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Sessions are the server's own children, not the agent's: one lives only as long as its connection to the server, so
    /// it has nothing to outlive. They run through a local backend of the same settings, on the same node directories,
    /// markers and cgroups, so the agent's release of a node ends them too.
    /// </remarks>
    public Task<INodeSession> OpenSessionAsync(NodeSessionRequest request, CancellationToken cancellationToken) =>
        _sessions.OpenSessionAsync(request, cancellationToken);

    /// <inheritdoc />
    public string Name => "local";

    /// <inheritdoc />
    public TaskIsolation Isolation { get; }

    /// <inheritdoc />
    public bool KeepsWorkAcrossRestarts => true;

    /// <summary>The agent's process id, once connected (tests end it by this).</summary>
    public int? AgentProcessId => _connection?.AgentProcessId;

    /// <inheritdoc />
    public async Task<IReadOnlyList<ProvisionedNode>> ProvisionAsync(ProvisionRequest request, CancellationToken cancellationToken)
    {
        var reply = await CallAsync(new AgentMessage { Op = "provision", Provision = request }, cancellationToken).ConfigureAwait(false);
        return reply.Nodes ?? [];
    }

    /// <inheritdoc />
    public Task ReleaseAsync(string clusterId, IReadOnlyList<string> nodeIds, CancellationToken cancellationToken) =>
        CallAsync(new AgentMessage { Op = "release", ClusterId = clusterId, NodeIds = nodeIds }, cancellationToken);

    /// <inheritdoc />
    public async Task<IRunningProcess> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Until the agent's reply: the agent forks, this server waits for its answer.
        using var activity = LocalActivities.StartLaunch("NodeAgentBackend.Launch", request);
        var handle = request.Key ?? _handlePrefix + Interlocked.Increment(ref _nextHandle).ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Known before the launch is sent: its end may arrive before the launch's reply.
        var process = new AgentProcess(this, handle, request.Key is not null);
        _processes[handle] = process;
        var startedAt = DateTimeOffset.UtcNow;
        try
        {
            var reply = await CallAsync(new AgentMessage { Op = "launch", Handle = handle, Launch = request }, cancellationToken).ConfigureAwait(false);
            process.BackendId = reply.BackendId ?? "";
        }
        catch (BackendException ex)
        {
            _processes.TryRemove(handle, out _);
            process.TryComplete(new ProcessExit(ProcessEndReason.LaunchFailed, null, ex.Message, startedAt, DateTimeOffset.UtcNow, Environment.MachineName));
        }
        return process;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, AdoptedProcess>> AdoptAsync(string clusterId, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var waiting = new Dictionary<string, AgentProcess>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            waiting[key] = _processes.GetOrAdd(key, k => new AgentProcess(this, k, keyed: true));
        }
        var reply = await CallAsync(new AgentMessage { Op = "adopt", ClusterId = clusterId, Keys = keys }, cancellationToken).ConfigureAwait(false);
        var adopted = new Dictionary<string, AdoptedProcess>(StringComparer.Ordinal);
        foreach (var found in reply.Adopted ?? [])
        {
            if (waiting.Remove(found.Key, out var process))
            {
                process.BackendId = found.BackendId;
                if (found.Exit is { } exit)
                {
                    process.TryComplete(exit);
                }
                adopted[found.Key] = new AdoptedProcess(process, found.WorkingDirectory);
            }
        }
        foreach (var key in reply.NotLaunched ?? [])
        {
            adopted.TryAdd(key, new AdoptedProcess(null, ""));
        }
        foreach (var key in waiting.Keys)
        {
            _processes.TryRemove(key, out _);
        }
        return adopted;
    }

    /// <summary>Tells the agent that this server is stopping on purpose: it exits once its tasks end (they run on, to be adopted).</summary>
    public async ValueTask DisposeAsync()
    {
        _disposing = true;
        if (_connection is { } connection)
        {
            Tell("bye", null);
            await connection.CloseAsync().ConfigureAwait(false);
        }
        _connecting.Dispose();
    }

    /// <summary>Sends a message that has no reply; dropped when no agent is connected (its process is then gone).</summary>
    internal void Tell(string op, string? handle) =>
        _connection?.Send(new AgentMessage { Op = op, Handle = handle });

    private async Task<AgentMessage> CallAsync(AgentMessage message, CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<AgentMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests[id] = reply;
        if (!connection.Send(message with { Id = id }))
        {
            _requests.TryRemove(id, out _);
            throw new BackendException("the node agent's connection closed");
        }
        var answer = await reply.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return answer.Error is { } error ? throw new BackendException(error) : answer;
    }

    private async Task<Connection> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_connection is { IsOpen: true } open)
        {
            return open;
        }
        await _connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is { IsOpen: true } raced)
            {
                return raced;
            }
            Directory.CreateDirectory(_files.Directory);
            var connection = await TryConnectAsync(cancellationToken).ConfigureAwait(false);
            if (connection is not null && connection.Fingerprint != _fingerprint)
            {
                // An agent of another build or other settings: its tasks are ended (they are lost and retried) and it is replaced.
                LogReplacingAgent(_logger, connection.AgentProcessId);
                await connection.ShutdownAsync().ConfigureAwait(false);
                connection = null;
            }
            if (connection is null)
            {
                StartAgent();
                var deadline = Stopwatch.StartNew();
                while ((connection = await TryConnectAsync(cancellationToken).ConfigureAwait(false)) is null)
                {
                    if (deadline.Elapsed > StartTimeout)
                    {
                        throw new BackendException($"the node agent did not start within {StartTimeout.TotalSeconds:0} s; see {_files.Log}");
                    }
                    await Task.Delay(50, cancellationToken).ConfigureAwait(false);
                }
                LogAgentStarted(_logger, connection.AgentProcessId, _files.Socket);
            }
            _connection = connection;
            return connection;
        }
        finally
        {
            _connecting.Release();
        }
    }

    private async Task<Connection?> TryConnectAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(_files.Socket))
        {
            return null;
        }
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(_files.Socket), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
        var connection = new Connection(this, socket);
        var hello = await connection.HelloAsync().ConfigureAwait(false);
        return hello ? connection : null;
    }

    private void StartAgent()
    {
        File.WriteAllText(_files.Options, _optionsJson);
        // Detached: its own session (setsid), so neither the server's death nor a Ctrl-C to the server's terminal reaches it,
        // and reparented to init once the shell that started it exits.
        var command = string.Join(' ', _options.NodeAgentCommand!.Select(Quote));
        var script = $"exec setsid {command} node-agent {Quote(_files.Options)} </dev/null >>{Quote(_files.Log)} 2>&1 &";
        using var shell = Process.Start(new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", script }, UseShellExecute = false })
            ?? throw new BackendException("could not start the node agent");
        shell.WaitForExit();
    }

    private static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private void OnMessage(AgentMessage message)
    {
        switch (message.Op)
        {
            case "reply" when _requests.TryRemove(message.Id, out var reply):
                reply.TrySetResult(message);
                break;
            case "exited" when message.Handle is { } handle && _processes.TryRemove(handle, out var process) && message.Exit is { } exit:
                process.TryComplete(exit);
                break;
        }
    }

    private void OnClosed(Connection connection)
    {
        if (Interlocked.CompareExchange(ref _connection, null, connection) != connection || _disposing)
        {
            // A server stopping on purpose leaves its processes running in the agent, to be adopted at its next start.
            return;
        }
        // The agent is gone, and with it every process it ran (their pipes ended with it).
        foreach (var (id, reply) in _requests)
        {
            if (_requests.TryRemove(id, out _))
            {
                reply.TrySetException(new BackendException("the node agent's connection closed"));
            }
        }
        foreach (var (handle, process) in _processes)
        {
            if (_processes.TryRemove(handle, out _))
            {
                process.TryComplete(new ProcessExit(ProcessEndReason.Lost, null, "the node agent running this process ended", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, Environment.MachineName));
            }
        }
        LogAgentLost(_logger);
    }

    /// <summary>One connection to the agent: a reader of its messages and a writer of ours.</summary>
    private sealed class Connection : IAsyncDisposable
    {
        private readonly NodeAgentBackend _owner;
        private readonly NetworkStream _stream;
        private readonly Channel<string> _outbox = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        private readonly Task _sending;
        private Task? _reading;
        private volatile bool _open = true;

        public Connection(NodeAgentBackend owner, Socket socket)
        {
            _owner = owner;
            _stream = new NetworkStream(socket, ownsSocket: true);
            _sending = SendAsync();
        }

        public bool IsOpen => _open;
        public string? Fingerprint { get; private set; }
        public int? AgentProcessId { get; private set; }

        public bool Send(AgentMessage message) => _open && _outbox.Writer.TryWrite(JsonSerializer.Serialize(message, AgentJson.Default.AgentMessage));

        /// <summary>Says hello and reads the agent's answer before the reader takes over; false when it does not answer.</summary>
        public async Task<bool> HelloAsync()
        {
            var reader = new StreamReader(_stream, new UTF8Encoding(false), leaveOpen: true);
            Send(new AgentMessage { Op = "hello" });
            try
            {
                var line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                var answer = line is null ? null : JsonSerializer.Deserialize(line, AgentJson.Default.AgentMessage);
                if (answer is null)
                {
                    await CloseAsync().ConfigureAwait(false);
                    return false;
                }
                Fingerprint = answer.Fingerprint;
                AgentProcessId = answer.ProcessId;
            }
            catch (Exception ex) when (ex is IOException or TimeoutException or JsonException)
            {
                await CloseAsync().ConfigureAwait(false);
                return false;
            }
            _reading = ReadAsync(reader);
            return true;
        }

        /// <summary>Asks the agent to end its processes and exit, and waits until it has.</summary>
        public async Task ShutdownAsync()
        {
            Send(new AgentMessage { Op = "shutdown", Id = -1 });
            if (_reading is not null)
            {
                await _reading.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            await CloseAsync().ConfigureAwait(false);
        }

        public ValueTask DisposeAsync() => new(CloseAsync());

        public async Task CloseAsync()
        {
            _open = false;
            _outbox.Writer.TryComplete();
            await _sending.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await _stream.DisposeAsync().ConfigureAwait(false);
        }

        private async Task SendAsync()
        {
            using var writer = new StreamWriter(_stream, new UTF8Encoding(false), leaveOpen: true);
            // Everything queued goes out in one flush.
            while (await _outbox.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (_outbox.Reader.TryRead(out var line))
                {
                    await writer.WriteLineAsync(line).ConfigureAwait(false);
                }
                await writer.FlushAsync().ConfigureAwait(false);
            }
        }

        private async Task ReadAsync(StreamReader reader)
        {
            try
            {
                while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
                {
                    if (JsonSerializer.Deserialize(line, AgentJson.Default.AgentMessage) is { } message)
                    {
                        _owner.OnMessage(message);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or JsonException)
            {
                // The agent went away; handled below.
            }
            _open = false;
            _outbox.Writer.TryComplete();
            _owner.OnClosed(this);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "node agent {ProcessId} started ({Socket})")]
    private static partial void LogAgentStarted(ILogger logger, int? processId, string socket);

    [LoggerMessage(Level = LogLevel.Warning, Message = "node agent {ProcessId} is of another build or settings; its tasks are ended and it is replaced")]
    private static partial void LogReplacingAgent(ILogger logger, int? processId);

    [LoggerMessage(Level = LogLevel.Error, Message = "the node agent's connection closed; the processes it ran are lost")]
    private static partial void LogAgentLost(ILogger logger);
}
