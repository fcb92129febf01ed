namespace Sluice.Core.Model;

public sealed record BootstrapAction(string Name, BootstrapTarget Target, string Path, IReadOnlyList<string> Arguments);
