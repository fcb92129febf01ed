namespace Sluice.Core.Model;

public sealed record Account(string Id, string Name, DateTimeOffset CreatedAt);
