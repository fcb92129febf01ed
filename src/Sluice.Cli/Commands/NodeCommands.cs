using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Sluice.Client;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice node shell|exec</c>: a shell or one command on a cluster's node (docs/node-shells.md).</summary>
internal static class NodeCommands
{
    // Ctrl-D at the start of a line: what a terminal sends at the end of piped input.
    private const byte EndOfTransmission = 0x04;

    public static Command Build(Func<ParseResult, Func<CliContext, CancellationToken, Task<int>>, CancellationToken, Task<int>> run)
    {
        var node = new Command("node", "Act on one node of a cluster: a shell, a command, a preemption");
        node.Add(Shell(run));
        node.Add(Exec(run));
        node.Add(NodePreemptCommand.Build(run));
        return node;
    }

    private static Command Shell(Func<ParseResult, Func<CliContext, CancellationToken, Task<int>>, CancellationToken, Task<int>> run)
    {
        var cluster = new Argument<string>("cluster-id") { Description = "The cluster id" };
        var nodeId = new Argument<string>("node-id") { Description = "The node id (sluice cluster nodes CLUSTER)" };
        var shell = new Command("shell", "Open an interactive shell on a running node, as the account's task user in the node's working directory; exits with the shell's exit code") { cluster, nodeId };
        shell.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            var interactive = !Console.IsInputRedirected && !Console.IsOutputRedirected;
            var options = new NodeShellOptions { Term = Environment.GetEnvironmentVariable("TERM") is { Length: > 0 } term && term != "dumb" ? term : null };
            if (interactive)
            {
                (options.Columns, options.Rows) = (Math.Max(1, Console.WindowWidth), Math.Max(1, Console.WindowHeight));
            }
            var session = await client.OpenNodeShellAsync(parse.GetValue(cluster)!, parse.GetValue(nodeId)!, options, token).ConfigureAwait(false);
            await using (session.ConfigureAwait(false))
            {
                using var raw = interactive ? RawTerminal.Enter() : null;
                using var resize = interactive && !OperatingSystem.IsWindows()
                    ? PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => Resize(session, token))
                    : null;
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
                // Not awaited: a read of the keyboard does not end when the shell does.
                _ = RelayInputAsync(Console.OpenStandardInput(), session.Input, interactive, stop.Token);
                await session.Output.CopyToAsync(Console.OpenStandardOutput(), token).ConfigureAwait(false);
                await stop.CancelAsync().ConfigureAwait(false);
                if (session.EndReason is { } reason)
                {
                    await Console.Error.WriteLineAsync($"sluice: {reason}").ConfigureAwait(false);
                }
                return session.ExitCode ?? ExitCodes.Failed;
            }
        }, ct));
        return shell;
    }

    private static Command Exec(Func<ParseResult, Func<CliContext, CancellationToken, Task<int>>, CancellationToken, Task<int>> run)
    {
        var cluster = new Argument<string>("cluster-id") { Description = "The cluster id" };
        var nodeId = new Argument<string>("node-id") { Description = "The node id (sluice cluster nodes CLUSTER)" };
        var command = new Argument<string[]>("command") { Description = "The program and its arguments after --, passed as they are (no shell: use sh -c '...' for one)", Arity = ArgumentArity.OneOrMore };
        var exec = new Command("exec", "Run one command on a running node: sluice node exec CLUSTER NODE -- CMD [ARG...]; exits with the command's exit code") { cluster, nodeId, command };
        exec.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            var result = await client.ExecOnNodeAsync(parse.GetValue(cluster)!, parse.GetValue(nodeId)!, parse.GetValue(command)!, new NodeExecOptions
            {
                StandardOutput = Console.OpenStandardOutput(),
                StandardError = Console.OpenStandardError(),
                StandardInput = Console.IsInputRedirected ? Console.OpenStandardInput() : null,
            }, token).ConfigureAwait(false);
            return result.ExitCode;
        }, ct));
        return exec;
    }

    private static async void Resize(NodeShell session, CancellationToken cancellationToken)
    {
        try
        {
            await session.ResizeAsync(Math.Max(1, Console.WindowWidth), Math.Max(1, Console.WindowHeight), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or System.Net.WebSockets.WebSocketException or ObjectDisposedException)
        {
            // The shell has ended.
        }
    }

    private static async Task RelayInputAsync(Stream keyboard, Stream shell, bool interactive, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await keyboard.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await shell.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
            if (!interactive)
            {
                // Piped input has ended: end the shell's as a terminal would.
                await shell.WriteAsync(new[] { EndOfTransmission }, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or System.Net.WebSockets.WebSocketException)
        {
            // The shell has ended.
        }
    }

    /// <summary>The local terminal in raw mode without echo (<c>stty raw -echo</c> on /dev/tty) until disposed, when its settings come back.</summary>
    private sealed class RawTerminal : IDisposable
    {
        private readonly string _saved;

        private RawTerminal(string saved) => _saved = saved;

        public static RawTerminal? Enter()
        {
            var saved = Stty("-g");
            if (saved is null || Stty("raw -echo") is null)
            {
                return null;
            }
            return new RawTerminal(saved.Trim());
        }

        public void Dispose() => Stty(_saved);

        // stty works on its stdin: /dev/tty, the terminal whatever this program's stdin is. The settings are stty's own words.
        private static string? Stty(string settings)
        {
            var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("stty \"$@\" < /dev/tty");
            start.ArgumentList.Add("stty");
            foreach (var word in settings.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                start.ArgumentList.Add(word);
            }
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? output : null;
        }
    }
}
