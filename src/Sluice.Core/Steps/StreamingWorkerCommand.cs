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
        var dll = Path.Combine(directory, "sluice.dll");
        // Under the dotnet muxer (tests, `dotnet run`) the same muxer runs the dll: a native host would
        // need DOTNET_ROOT to find the runtime when .NET is not installed system-wide.
        if (File.Exists(dll) && Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return [self, dll];
        }
        if (File.Exists(native))
        {
            return [native];
        }
        return File.Exists(dll) ? ["dotnet", dll] : null;
    }
}
