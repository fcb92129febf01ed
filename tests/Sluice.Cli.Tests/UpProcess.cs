using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Cli.Tests;

/// <summary>A running `sluice up --port 0` child process and the endpoint it printed.</summary>
public sealed partial class UpProcess : IAsyncDisposable
{
    private const int SigInt = 2;
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly TaskCompletionSource<Uri> serving = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly string dataDirectory;

    private UpProcess(Process process, string dataDirectory)
    {
        this.process = process;
        this.dataDirectory = dataDirectory;
    }

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Everything the process wrote so far, stdout and stderr interleaved.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public static async Task<UpProcess> StartAsync(string home, string dataDirectory, IReadOnlyDictionary<string, string>? variables = null, params string[] arguments)
    {
        var up = new UpProcess(new Process { StartInfo = Cli.StartInfo(new CliEnvironment(home, Variables: variables), ["up", "--port", "0", "--data", dataDirectory, .. arguments]), EnableRaisingEvents = true }, dataDirectory);
        up.process.OutputDataReceived += (_, e) => up.Append(e.Data);
        up.process.ErrorDataReceived += (_, e) => up.Append(e.Data);
        up.process.Exited += (_, _) => up.serving.TrySetException(new Xunit.Sdk.XunitException($"`sluice up` exited before serving:\n{up.Output}"));
        up.process.Start();
        up.process.StandardInput.Close();
        up.process.BeginOutputReadLine();
        up.process.BeginErrorReadLine();
        try
        {
            up.Endpoint = await up.serving.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            await up.DisposeAsync();
            throw new Xunit.Sdk.XunitException($"`sluice up` did not print 'Sluice is serving on' within 60 s:\n{up.Output}");
        }
        catch
        {
            await up.DisposeAsync();
            throw;
        }
        return up;
    }

    /// <summary>
    /// Sends SIGINT (Ctrl+C) and returns the exit code. A process started from a non-interactive shell's background job
    /// inherits SIGINT as ignored (the runtime then keeps ignoring it), so there SIGTERM, the other graceful stop, is sent.
    /// </summary>
    public async Task<int> InterruptAsync()
    {
        var signal = SignalIgnored(SigInt) ? "TERM" : "INT";
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-s", signal, process.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false })!)
        {
            await kill.WaitForExitAsync();
            Assert.Equal(0, kill.ExitCode);
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"`sluice up` did not exit within 60 s of SIG{signal}:\n{Output}");
        }
        return process.ExitCode;
    }

    /// <summary>The process id, for a test that kills the server as kill -9 would.</summary>
    public int ProcessId => process.Id;

    /// <summary>Kills the server process alone with SIGKILL (no graceful stop, its children are left as they are).</summary>
    public void KillHard()
    {
        process.Kill(entireProcessTree: false);
        process.WaitForExit(10_000);
    }

    public async ValueTask DisposeAsync()
    {
        Cli.KillTree(process);
        await StopNodeAgentAsync(dataDirectory);
        process.Dispose();
    }

    /// <summary>Ends the server process (and what it started itself) but leaves the node agent and its tasks running, as a crash does.</summary>
    public async Task DisposeServerOnlyAsync()
    {
        Cli.KillTree(process);
        await Task.Yield();
    }

    /// <summary>The node agent's process id in a data directory, while one runs there.</summary>
    public static int? NodeAgentProcessId(string dataDirectory)
    {
        var file = Path.Combine(dataDirectory, "nodes", "agent", "agent.pid");
        return File.Exists(file) && int.TryParse(File.ReadAllText(file), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    /// <summary>
    /// Ends the node agent a server started in the data directory (it outlives the server on purpose) with SIGTERM, which makes
    /// it kill its tasks first, and waits until it has exited.
    /// </summary>
    public static async Task StopNodeAgentAsync(string dataDirectory)
    {
        if (NodeAgentProcessId(dataDirectory) is not { } pid)
        {
            return;
        }
        Process agent;
        try
        {
            agent = Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            return;
        }
        using (agent)
        {
            using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-s", "TERM", pid.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false })!)
            {
                await kill.WaitForExitAsync();
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await agent.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                agent.Kill();
            }
        }
    }

    private bool SignalIgnored(int signal)
    {
        var line = File.ReadLines($"/proc/{process.Id}/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null
            && ulong.TryParse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask)
            && (mask & (1UL << (signal - 1))) != 0;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        string text;
        lock (output)
        {
            output.Append(line).Append('\n');
            text = output.ToString();
        }
        // The console wraps long lines at its width: match on the text with line breaks folded into spaces.
        var match = ServingLine().Match(Regex.Replace(text, @"\s+", " "));
        if (match.Success)
        {
            serving.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Sluice is serving on (http://127\.0\.0\.1:\d+/)")]
    private static partial Regex ServingLine();
}
