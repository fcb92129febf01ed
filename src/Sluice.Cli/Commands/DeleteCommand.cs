using System.CommandLine;
using Sluice.Client;
using Sluice.Contracts;
using Spectre.Console;

namespace Sluice.Cli.Commands;

/// <summary>A <c>delete ID</c> command: calls the delete, then prints "deleted ID" (or <c>{"id": ID}</c> with --output json).</summary>
internal static class DeleteCommand
{
    private static readonly SluiceJsonContext Json = SluiceJsonContext.Default;

    public static Command Build(Func<ParseResult, Func<CliContext, CancellationToken, Task<int>>, CancellationToken, Task<int>> run,
        string description, Argument<string> id, Func<SluiceClient, string, CancellationToken, Task> delete)
    {
        var command = new Command("delete", description) { id };
        command.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            var target = parse.GetValue(id)!;
            using var client = cli.CreateClient();
            await delete(client, target, token).ConfigureAwait(false);
            if (cli.Json)
            {
                cli.WriteJson(new CreatedResponse { Id = target }, Json.CreatedResponse);
            }
            else
            {
                cli.Console.MarkupLine($"deleted {Markup.Escape(target)}");
            }
            return ExitCodes.Ok;
        }, ct));
        return command;
    }
}
