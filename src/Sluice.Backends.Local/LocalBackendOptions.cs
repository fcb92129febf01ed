namespace Sluice.Backends.Local;

/// <summary>Settings of the <see cref="LocalBackend"/>.</summary>
public sealed class LocalBackendOptions
{
    /// <summary>
    /// Where node directories live: <c>&lt;root&gt;/clusters/&lt;clusterId&gt;/&lt;nodeId&gt;/</c>.
    /// Required.
    /// </summary>
    public string RootDirectory { get; set; } = "";

    /// <summary>
    /// Variables of the server's environment that tasks do not inherit. Default:
    /// <c>PYTHONUNBUFFERED</c>, which turns every python <c>print</c> into a write(2) and which the
    /// server machine may export for its own reasons; a task that wants it sets it in its own
    /// environment.
    /// </summary>
    public IReadOnlyList<string> RemovedEnvironmentVariables { get; set; } = ["PYTHONUNBUFFERED"];

    /// <summary>
    /// How long to wait, after a process exited, for its output pipes to close. Background children
    /// that still hold them after this are killed, so a forgotten <c>&amp;</c> cannot keep a task
    /// running forever. Default: 1 second.
    /// </summary>
    public TimeSpan OutputDrainTimeout { get; set; } = TimeSpan.FromSeconds(1);
}
