namespace Sluice.Client;

/// <summary>A listing's window of creation times, both ends inclusive; a null end is open.</summary>
internal readonly record struct CreationWindow(DateTimeOffset? After, DateTimeOffset? Before);
