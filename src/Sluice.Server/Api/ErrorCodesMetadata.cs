namespace Sluice.Server.Api;

/// <summary>Endpoint metadata: error codes the operation answers with, beyond those every operation shares.</summary>
/// <param name="Codes">Codes of <see cref="Contracts.ErrorCodes"/>; <see cref="ApiErrors.StatusOf"/> gives each one's HTTP status.</param>
internal sealed record ErrorCodesMetadata(IReadOnlyList<string> Codes);
