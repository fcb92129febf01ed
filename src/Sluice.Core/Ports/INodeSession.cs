namespace Sluice.Core.Ports;

/// <summary>
/// A shell or a command running on a node for a person (<see cref="IComputeBackend.OpenSessionAsync"/>). A shell has one
/// terminal: its <see cref="Output"/> carries what the terminal shows and <see cref="Error"/> is null. Disposing kills
/// whatever the session still runs.
/// </summary>
public interface INodeSession : IAsyncDisposable
{
    /// <summary>The process's standard input (for a shell, the terminal's keyboard side).</summary>
    Stream Input { get; }

    /// <summary>The process's standard output (for a shell, everything the terminal shows). Ends when the process and its children closed it.</summary>
    Stream Output { get; }

    /// <summary>The process's standard error; null for a shell, whose errors are on its terminal.</summary>
    Stream? Error { get; }

    /// <summary>Completes with the exit code (128 + the signal for a process a signal ended).</summary>
    Task<int> Exited { get; }

    /// <summary>Changes the terminal's size (TIOCSWINSZ; the shell gets SIGWINCH). Ignored for a command.</summary>
    void Resize(int columns, int rows);

    /// <summary>Closes standard input: a command reading it sees the end. For a shell, sends nothing (the user types exit).</summary>
    void CloseInput();
}
