namespace Sluice.Server.Api;

/// <summary>What the request checks need from the server's options.</summary>
/// <param name="Region">The region signatures must be scoped to.</param>
/// <param name="MaxRequestBodyBytes">The largest request body accepted.</param>
internal sealed record ApiSettings(string Region, long MaxRequestBodyBytes);
