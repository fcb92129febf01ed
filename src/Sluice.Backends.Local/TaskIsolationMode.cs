namespace Sluice.Backends.Local;

/// <summary>How the local backend keeps tasks apart (<see cref="LocalBackendOptions.Isolation"/>).</summary>
public enum TaskIsolationMode
{
    /// <summary>Tasks run as the server's user and see what it sees.</summary>
    None,
    /// <summary>Every launch runs in a bubblewrap sandbox.</summary>
    Sandbox,
}
