using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Sluice.Streaming;

/// <summary>
/// The <c>sluice streaming ...</c> command: parses hadoop-streaming arguments, runs the job locally,
/// prints counters (text, or one JSON object with <c>--output json</c>).
/// Exit codes: 0 succeeded, 1 job failed or was cancelled, 2 usage error.
/// </summary>
public static class StreamingTool
{
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken) =>
        RunAsync(args, stdout, stderr, null, cancellationToken);

    /// <summary>Like <see cref="RunAsync(string[], TextWriter, TextWriter, CancellationToken)"/>, with object URIs resolved through <paramref name="store"/>.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, IStreamingStore? store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var json = false;
        var rest = new List<string>();
        StreamingJobSpec spec;
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                var format = args[i] == "--output" ? (i + 1 < args.Length ? args[++i] : "") : args[i].StartsWith("--output=", StringComparison.Ordinal) ? args[i]["--output=".Length..] : null;
                if (format is null)
                {
                    rest.Add(args[i]);
                    continue;
                }
                json = format switch
                {
                    "json" => true,
                    "text" => false,
                    _ => throw new StreamingUsageException($"--output {format}: use --output json or --output text (the output directory is -output, one dash)."),
                };
            }
            spec = StreamingArguments.Parse(rest);
        }
        catch (StreamingUsageException e)
        {
            await WriteUsageErrorAsync(stderr, e).ConfigureAwait(false);
            return 2;
        }
        StreamingJobResult result;
        try
        {
            result = await new StreamingEngine(store).RunAsync(spec, cancellationToken).ConfigureAwait(false);
        }
        catch (StreamingUsageException e)
        {
            await WriteUsageErrorAsync(stderr, e).ConfigureAwait(false);
            return 2;
        }
        foreach (var warning in result.Warnings)
        {
            await stderr.WriteLineAsync($"warning: {warning}").ConfigureAwait(false);
        }
        if (!result.Succeeded)
        {
            await stderr.WriteLineAsync($"error: job {result.JobId} {result.State.ToString().ToLowerInvariant()}: {result.Error}").ConfigureAwait(false);
        }
        await stdout.WriteAsync(json ? ToJson(result) : ToText(result)).ConfigureAwait(false);
        await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? 0 : 1;
    }

    /// <summary>The stable JSON shape printed by <c>--output json</c>.</summary>
    public static string ToJson(StreamingJobResult result)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("jobId", result.JobId);
            writer.WriteString("state", result.State.ToString());
            writer.WriteBoolean("succeeded", result.Succeeded);
            WriteNullable(writer, "error", result.Error);
            WriteNullable(writer, "status", result.Status);
            writer.WriteString("output", result.OutputDirectory);
            writer.WriteStartArray("outputFiles");
            foreach (var file in result.OutputFiles)
            {
                writer.WriteStringValue(file);
            }
            writer.WriteEndArray();
            writer.WriteNumber("mapTasks", result.MapTasks);
            writer.WriteNumber("reduceTasks", result.ReduceTasks);
            writer.WriteNumber("elapsedSeconds", Math.Round(result.Elapsed.TotalSeconds, 3));
            writer.WriteStartObject("counters");
            foreach (var (group, counters) in result.Counters.Groups)
            {
                writer.WriteStartObject(group);
                foreach (var (name, value) in counters)
                {
                    writer.WriteNumber(name, value);
                }
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>The text summary printed without <c>--output json</c>: state, output, counters.</summary>
    public static string ToText(StreamingJobResult result)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.Append(inv, $"Job {result.JobId} {result.State.ToString().ToLowerInvariant()} in {result.Elapsed.TotalSeconds:0.###} s: {result.MapTasks} map task(s), {result.ReduceTasks} reduce task(s)\n");
        if (result.Status is not null)
        {
            sb.Append(inv, $"Status: {result.Status}\n");
        }
        sb.Append(inv, $"Counters: {result.Counters.Groups.Sum(g => g.Value.Count)}\n");
        foreach (var (group, counters) in result.Counters.Groups)
        {
            sb.Append('\t').Append(group).Append('\n');
            foreach (var (name, value) in counters)
            {
                sb.Append(inv, $"\t\t{name}={value}\n");
            }
        }
        if (result.Succeeded)
        {
            sb.Append(inv, $"Output directory: {result.OutputDirectory}\n");
        }
        return sb.ToString();
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static async Task WriteUsageErrorAsync(TextWriter stderr, StreamingUsageException e)
    {
        await stderr.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
        await stderr.WriteLineAsync(StreamingArguments.Usage).ConfigureAwait(false);
    }
}
