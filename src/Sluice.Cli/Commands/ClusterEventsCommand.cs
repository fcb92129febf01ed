using System.CommandLine;
using System.Globalization;
using Sluice.Contracts;
using Spectre.Console;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice cluster events CLUSTER</c>: the cluster's state changes, oldest first, with their reasons.</summary>
internal static class ClusterEventsCommand
{
    public static Command Build(Func<ParseResult, Func<CliContext, CancellationToken, Task<int>>, CancellationToken, Task<int>> run, Argument<string> clusterId)
    {
        var command = new Command("events", "List a cluster's state changes, oldest first") { clusterId };
        var paging = new ListPaging(command);
        command.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            var page = await paging.ReadAsync(parse, client.ListClusterEventsAsync(parse.GetValue(clusterId)!, cancellationToken: token), token).ConfigureAwait(false);
            if (cli.Json)
            {
                cli.WriteJson(page, SluiceJsonContext.Default.ListResponseStateEventInfo);
                return ExitCodes.Ok;
            }
            var table = new Table().AddColumns("SEQ", "AT", "KIND").AddColumn(ClusterCommands.IdColumn("RESOURCE")).AddColumns("FROM", "TO", "REASON");
            foreach (var e in page.Items)
            {
                table.AddRow(e.Sequence.ToString(CultureInfo.InvariantCulture), e.At.ToString("u", CultureInfo.InvariantCulture), e.ResourceKind, Markup.Escape(e.ResourceId),
                    e.FromState ?? "", ClusterCommands.Styled(e.ToState), Markup.Escape(e.Reason is { } r ? $"{r.Code}: {r.Message}" : ""));
            }
            cli.Console.Write(table);
            ListPaging.WriteMore(cli, page);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }
}
