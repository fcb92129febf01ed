using System.CommandLine;
using Sluice.Client;
using Sluice.Contracts;
using Spectre.Console;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice node preempt CLUSTER NODE [--notice SECONDS]</c>: takes a Spot node away as a cloud would.</summary>
internal static class NodePreemptCommand
{
    private static readonly SluiceJsonContext Json = SluiceJsonContext.Default;

    public static Command Build(Func<ParseResult, Func<CliContext, CancellationToken, Task<int>>, CancellationToken, Task<int>> run)
    {
        var cluster = new Argument<string>("cluster") { Description = "Cluster id" };
        var node = new Argument<string>("node") { Description = "Node id, of a Spot group (sluice cluster nodes CLUSTER)" };
        var notice = new Option<int?>("--notice") { Description = "Seconds between SIGTERM to its instances and the kill (0-3600; default: the server's, 30 s)" };
        var preempt = new Command("preempt", "Preempt a Spot node: its instances get SIGTERM, then the kill after the notice; they are requeued without using a retry and the node is replaced")
        {
            cluster, node, notice,
        };
        preempt.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            var seconds = Numbers.Between(parse.GetValue(notice), 0, 3600, "--notice");
            using var client = cli.CreateClient();
            NodeInfo info = await client.PreemptNodeAsync(parse.GetValue(cluster)!, parse.GetValue(node)!,
                seconds is { } s ? TimeSpan.FromSeconds(s) : null, token).ConfigureAwait(false);
            if (cli.Json)
            {
                cli.WriteJson(info, Json.NodeInfo);
            }
            else
            {
                var after = seconds is { } given ? $"{given} s" : "the server's notice";
                cli.Console.MarkupLine($"preempting {Markup.Escape(info.Id)} ({Markup.Escape(info.Market)} {Markup.Escape(info.Role)}): its instances are killed after {after} and requeued; a replacement node follows");
            }
            return ExitCodes.Ok;
        }, ct));
        return preempt;
    }
}
