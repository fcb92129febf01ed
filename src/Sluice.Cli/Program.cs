using Sluice.Cli;

return await SluiceCli.RunAsync(args, CliConsole.Create(), Console.Out, Console.Error).ConfigureAwait(false);
