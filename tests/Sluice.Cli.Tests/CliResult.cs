using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Sluice.Cli.Tests;

/// <summary>What one `sluice` process did: its exit code, its stdout bytes and its stderr text.</summary>
public sealed record CliResult(int ExitCode, byte[] StdoutBytes, string Stderr)
{
    public string Stdout => Encoding.UTF8.GetString(StdoutBytes);

    /// <summary>Asserts the process exited with <paramref name="expected"/>, showing both streams when it did not.</summary>
    public CliResult ShouldExit(int expected)
    {
        Assert.True(ExitCode == expected, $"expected exit code {expected}, got {this}");
        return this;
    }

    /// <summary>Stdout as exactly one JSON document of <typeparamref name="T"/> (JsonDocument.Parse rejects trailing text).</summary>
    public T Json<T>(JsonTypeInfo<T> type)
    {
        using var document = JsonDocument.Parse(StdoutBytes);
        return document.Deserialize(type) ?? throw new Xunit.Sdk.XunitException($"stdout is JSON null: {this}");
    }

    public override string ToString() => $"exit code {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}
