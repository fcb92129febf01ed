using System.Diagnostics;
using Sluice.Client;
using Sluice.Contracts;
using Spectre.Console;

namespace Sluice.Cli.Commands;

/// <summary>
/// The BMR quick start inside <c>sluice quickstart</c>: a Java step writes a text (a jar built here with
/// javac/jar), a Streaming step counts its words with map and reduce tasks on the cluster's nodes, the
/// step list and the checked result are shown.
/// </summary>
internal static class QuickstartSteps
{
    private const int Lines = 300;

    // The text the Java step writes: alpha and beta on every line, gamma on every third.
    private static readonly Dictionary<string, long> Expected = new(StringComparer.Ordinal) { ["alpha"] = Lines, ["beta"] = Lines, ["gamma"] = Lines / 3 };

    public static async Task<bool> RunAsync(IAnsiConsole console, SluiceClient client, string clusterId, string shared, CancellationToken token)
    {
        var input = Path.Combine(shared, "text");
        var output = Path.Combine(shared, "wordcount");
        Directory.CreateDirectory(input);
        var jar = await BuildJarAsync(shared, token).ConfigureAwait(false);
        var writer = jar is not null
            ? StepBuilder.JarStep("write-text", jar, arguments: [Path.Combine(input, "part-0.txt")], actionOnFailure: StepActionOnFailure.CancelAndWait)
            : StepBuilder.CreateStep(StepBuilder.CommandStepProperties(
                $"awk 'BEGIN {{ for (i = 1; i <= {Lines}; i++) print \"alpha beta\" (i % 3 == 0 ? \" gamma\" : \"\") }}' > {Path.Combine(input, "part-0.txt")}"),
                "write-text", StepActionOnFailure.CancelAndWait);
        var count = StepBuilder.StreamingStep("wordcount", "awk '{ for (i = 1; i <= NF; i++) print \"LongValueSum:\" $i \"\\t1\" }'", "aggregate",
            input: input, output: output, numReduceTasks: 2, arguments: ["-D", "mapreduce.job.maps=4"]);
        AddStepsResponse added = await client.AddStepsAsync(clusterId, [writer, count], token).ConfigureAwait(false);
        console.MarkupLine(jar is not null
            ? $"[bold]5.[/] steps (the BMR flow): a Java step (a jar built with javac) writes a text, a Streaming step counts its words"
            : "[bold]5.[/] steps (the BMR flow): no JDK on PATH, so a Command step writes the text instead of the Java step; a Streaming step counts its words");

        var waitOptions = new WaitOptions { PollInterval = TimeSpan.FromMilliseconds(100), MaxPollInterval = TimeSpan.FromMilliseconds(250) };
        foreach (var id in added.StepIds)
        {
            await client.WaitForStepAsync(clusterId, id, waitOptions, token).ConfigureAwait(false);
        }
        var steps = await client.ListStepsAsync(clusterId, cancellationToken: token).ToListAsync(token).ConfigureAwait(false);
        var table = new Table().AddColumn(ClusterCommands.IdColumn("STEP")).AddColumns("NAME", "TYPE", "STATE", "SECONDS");
        foreach (var step in steps)
        {
            var seconds = step.EndedAt - step.StartedAt is { } elapsed ? elapsed.TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) : "";
            table.AddRow(step.Id, Markup.Escape(step.Name), step.Type, ClusterCommands.Styled(step.State), seconds);
        }
        console.Write(table);
        if (steps.FirstOrDefault(s => s.State != StepStates.Completed) is { } failed)
        {
            console.MarkupLine($"[red]step {Markup.Escape(failed.Name)} {failed.State}[/]: {Markup.Escape(failed.FailureDetails?.Message ?? failed.StateChangeReason?.Message ?? "")}");
            return false;
        }
        var counts = Directory.GetFiles(output, "part-*").SelectMany(File.ReadAllLines).Select(l => l.Split('\t'))
            .ToDictionary(p => p[0], p => long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal);
        var correct = counts.Count == Expected.Count && Expected.All(e => counts.GetValueOrDefault(e.Key) == e.Value);
        var shown = string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"));
        console.MarkupLine($"[bold]6.[/] word count: {Markup.Escape(shown)} {(correct ? "[green](correct)[/]" : "[red](expected alpha 300, beta 300, gamma 100)[/]")}");
        console.MarkupLine($"   output: {Markup.Escape(output)}; each step's controller, stdout and stderr logs: sluice step logs CLUSTER STEP --log controller");
        return correct;
    }

    /// <summary>Compiles and packs the Java step's program; null when no JDK is on PATH.</summary>
    private static async Task<string?> BuildJarAsync(string directory, CancellationToken token)
    {
        var source = Path.Combine(directory, "WriteText.java");
        await File.WriteAllTextAsync(source, $$"""
            import java.io.PrintWriter;

            public class WriteText {
                public static void main(String[] args) throws Exception {
                    try (PrintWriter out = new PrintWriter(args[0], "UTF-8")) {
                        for (int i = 1; i <= {{Lines}}; i++) {
                            out.println("alpha beta" + (i % 3 == 0 ? " gamma" : ""));
                        }
                    }
                    System.out.println("wrote {{Lines}} lines to " + args[0]);
                }
            }
            """, token).ConfigureAwait(false);
        var ok = await RunAsync(directory, "javac", ["-d", "classes", "WriteText.java"], token).ConfigureAwait(false)
            && await RunAsync(directory, "jar", ["--create", "--file", "write-text.jar", "--main-class", "WriteText", "-C", "classes", "."], token).ConfigureAwait(false);
        return ok ? Path.Combine(directory, "write-text.jar") : null;
    }

    private static async Task<bool> RunAsync(string directory, string program, string[] args, CancellationToken token)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        try
        {
            using var process = Process.Start(start)!;
            await process.WaitForExitAsync(token).ConfigureAwait(false);
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
