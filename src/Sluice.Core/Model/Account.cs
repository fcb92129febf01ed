namespace Sluice.Core.Model;

/// <summary>A tenant. The admin account may create, list and disable the others; a disabled account's keys stop working.</summary>
public sealed record Account(string Id, string Name, DateTimeOffset CreatedAt, bool IsAdmin = false, bool Enabled = true);
