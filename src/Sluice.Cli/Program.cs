using Sluice.Cli;

return await SluiceCli.RunAsync(args, Spectre.Console.AnsiConsole.Console, Console.Out, Console.Error).ConfigureAwait(false);
