namespace Sluice.Server.Auth;

/// <summary>
/// Endpoint metadata: the endpoint is an API operation that runs only for a verified signature. The route groups
/// of the API carry it, so an endpoint reached by any spelling of its path is checked.
/// </summary>
internal sealed class SignedApi
{
    public static readonly SignedApi Instance = new();

    private SignedApi()
    {
    }
}
