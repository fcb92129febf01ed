namespace Sluice.Core.Steps;

/// <summary>Finds the program that runs streaming task attempts on nodes: <c>sluice streaming-task SPEC RESULT</c>.</summary>
public static class StreamingWorkerCommand
{
    /// <summary>The configured command, else the <c>sluice</c> program next to this assembly; null when there is none.</summary>
    public static IReadOnlyList<string>? Resolve(SluiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.StreamingWorkerCommand is { Count: > 0 } configured)
        {
            return configured;
        }
        var directory = AppContext.BaseDirectory;
        var native = Path.Combine(directory, "sluice");
        if (File.Exists(native))
        {
            return [native];
        }
        var dll = Path.Combine(directory, "sluice.dll");
        if (!File.Exists(dll))
        {
            return null;
        }
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(host))
        {
            host = Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        }
        return [host, dll];
    }
}
