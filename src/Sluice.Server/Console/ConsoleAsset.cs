namespace Sluice.Server.Console;

/// <summary>One file of the web console: its bytes, media type and entity tag.</summary>
internal sealed record ConsoleAsset(byte[] Content, string ContentType, string ETag);
