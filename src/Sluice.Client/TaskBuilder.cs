using Sluice.Contracts;

namespace Sluice.Client;

/// <summary>
/// Configures one task of a <see cref="JobRequestBuilder"/>: environment, retries, timeout, resources, package and
/// output redirection. Unset values take the service defaults.
/// </summary>
public sealed class TaskBuilder
{
    private readonly Dictionary<string, string> _env = new(StringComparer.Ordinal);
    private int? _maxRetryCount;
    private int? _timeoutSeconds;
    private int? _cpu;
    private long? _memoryMiB;
    private string? _packagePath;
    private string? _stdoutRedirectPath;
    private string? _stderrRedirectPath;

    internal TaskBuilder()
    {
    }

    /// <summary>Sets an environment variable of every instance (a later call with the same name replaces it).</summary>
    /// <param name="name">The variable name.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentException">The name is empty or contains '='.</exception>
    public TaskBuilder WithEnvironment(string name, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        if (name.Contains('=', StringComparison.Ordinal))
        {
            throw new ArgumentException("An environment variable name cannot contain '='.", nameof(name));
        }
        _env[name] = value;
        return this;
    }

    /// <summary>Retries a failed instance up to this many times (0-100). Default 0.</summary>
    /// <param name="maxRetryCount">The retry count.</param>
    public TaskBuilder WithMaxRetries(int maxRetryCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetryCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxRetryCount, 100);
        _maxRetryCount = maxRetryCount;
        return this;
    }

    /// <summary>Kills an attempt that runs longer than this (whole seconds, rounded up; 1 s to 7 days). Default: no limit.</summary>
    /// <param name="timeout">The limit.</param>
    public TaskBuilder WithTimeout(TimeSpan timeout)
    {
        var seconds = Math.Ceiling(timeout.TotalSeconds);
        if (seconds is < 1 or > 604800)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "A task timeout is between 1 second and 7 days.");
        }
        _timeoutSeconds = (int)seconds;
        return this;
    }

    /// <summary>Sets the vCPU slots each instance takes (at least 1). Default 1.</summary>
    /// <param name="cpu">The slot count.</param>
    public TaskBuilder WithCpu(int cpu)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cpu, 1);
        _cpu = cpu;
        return this;
    }

    /// <summary>Sets the memory each instance reserves, in MiB. Default 0 (not reserved).</summary>
    /// <param name="memoryMiB">The memory in MiB.</param>
    public TaskBuilder WithMemoryMiB(long memoryMiB)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(memoryMiB);
        _memoryMiB = memoryMiB;
        return this;
    }

    /// <summary>Sets an archive (object URI) unpacked into each instance's working directory. Default none.</summary>
    /// <param name="packagePath">The object URI, such as <c>oss://bucket/app.tar.gz</c>.</param>
    public TaskBuilder WithPackage(string packagePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(packagePath);
        _packagePath = packagePath;
        return this;
    }

    /// <summary>Copies each instance's stdout to this object URI when it ends. Default: not copied.</summary>
    /// <param name="path">The object URI prefix.</param>
    public TaskBuilder RedirectStdout(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _stdoutRedirectPath = path;
        return this;
    }

    /// <summary>Copies each instance's stderr to this object URI when it ends. Default: not copied.</summary>
    /// <param name="path">The object URI prefix.</param>
    public TaskBuilder RedirectStderr(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _stderrRedirectPath = path;
        return this;
    }

    internal TaskSpec Build(string commandLine, int instanceCount) => new()
    {
        CommandLine = commandLine,
        InstanceCount = instanceCount,
        Env = _env.Count == 0 ? null : new Dictionary<string, string>(_env, StringComparer.Ordinal),
        MaxRetryCount = _maxRetryCount,
        Timeout = _timeoutSeconds,
        Cpu = _cpu,
        MemoryMiB = _memoryMiB,
        PackagePath = _packagePath,
        StdoutRedirectPath = _stdoutRedirectPath,
        StderrRedirectPath = _stderrRedirectPath,
    };
}
