// Placeholder entry point until the CLI commands land (issue #2).
Console.Error.WriteLine("sluice: not built yet");
return 2;
