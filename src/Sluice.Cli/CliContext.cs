using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Sluice.Client;
using Spectre.Console;

namespace Sluice.Cli;

/// <summary>What a command needs from the command line: the client, the output format, the console.</summary>
internal sealed class CliContext(ParseResult parse, IAnsiConsole console, TextWriter stdout, TextWriter? stderr = null)
{
    public bool Json => parse.GetValue(GlobalOptions.Output) == "json";
    public IAnsiConsole Console { get; } = console;
    public TextWriter Stdout { get; } = stdout;

    /// <summary>Where messages beside the output go (notes such as a list's next marker); null in some in-process uses.</summary>
    public TextWriter? Stderr { get; } = stderr;

    /// <summary>
    /// Where progress bars go: the process's stderr when it is a terminal, stdout is not piped and the output is
    /// not JSON; else null (no bar, so scripts and pipes read clean output).
    /// </summary>
    public TextWriter? ProgressWriter =>
        !Json && Stderr is not null && ReferenceEquals(Stderr, System.Console.Error) && !System.Console.IsErrorRedirected && !System.Console.IsOutputRedirected
            ? Stderr
            : null;

    /// <summary>Credentials from the environment or the profile; the endpoint from --endpoint, the environment or the profile.</summary>
    public SluiceClient CreateClient()
    {
        var (endpoint, credentials) = Resolve();
        return new SluiceClient(new SluiceClientOptions { Endpoint = endpoint, Credentials = credentials });
    }

    /// <summary>The endpoint <see cref="CreateClient"/> talks to (what a profile written for the same server records).</summary>
    public Uri Endpoint => Resolve().Endpoint;

    private (Uri Endpoint, SluiceCredentials Credentials) Resolve()
    {
        var profile = parse.GetValue(GlobalOptions.Profile);
        SluiceCredentials credentials;
        try
        {
            credentials = profile is null ? SluiceCredentials.FromDefaults() : SluiceCredentials.FromProfile(profile);
        }
        catch (Exception ex) when (ex is SluiceClientException or InvalidOperationException or IOException or ArgumentException)
        {
            // The SDK's message for no credentials at all already says both ways to get them; the others lack the advice.
            throw new UsageException(ex.Message.Contains("sluice up", StringComparison.Ordinal) && ex.Message.Contains(SluiceCredentials.AccessKeyIdVariable, StringComparison.Ordinal)
                ? ex.Message
                : $"no credentials: {ex.Message.TrimEnd('.')}. Run `sluice up` once (it writes the 'local' profile), or set SLUICE_ENDPOINT, SLUICE_ACCESS_KEY_ID and SLUICE_SECRET_ACCESS_KEY");
        }
        var endpointText = parse.GetValue(GlobalOptions.Endpoint);
        Uri? endpoint = credentials.Endpoint;
        if (endpointText is not null
            && (!Uri.TryCreate(endpointText, UriKind.Absolute, out endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps)))
        {
            throw new UsageException($"--endpoint '{endpointText}' is not an absolute URL such as http://127.0.0.1:8780");
        }
        if (endpoint is null)
        {
            throw new UsageException("no endpoint: pass --endpoint, set SLUICE_ENDPOINT, or run `sluice up` to write the 'local' profile");
        }
        return (endpoint, credentials);
    }

    public void WriteJson<T>(T value, JsonTypeInfo<T> type) => Stdout.WriteLine(JsonSerializer.Serialize(value, type));
}
