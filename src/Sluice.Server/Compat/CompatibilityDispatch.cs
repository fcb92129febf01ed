using Microsoft.AspNetCore.Http;

namespace Sluice.Server.Compat;

/// <summary>
/// Hands each request to the compatibility API that recognises it, before the native API's error handling and
/// signature check; a request no door claims goes on to the native API.
/// </summary>
internal sealed class CompatibilityDispatch(IEnumerable<ICompatibilityApi> apis)
{
    private readonly ICompatibilityApi[] _apis = [.. apis];

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        foreach (var api in _apis)
        {
            if (api.Recognises(context.Request))
            {
                return api.HandleAsync(context);
            }
        }
        return next(context);
    }
}
