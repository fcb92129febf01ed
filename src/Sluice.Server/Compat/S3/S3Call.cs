using Microsoft.AspNetCore.Http;

namespace Sluice.Server.Compat.S3;

/// <summary>One authenticated S3 request: the HTTP context, the parsed request and its caller.</summary>
internal sealed record S3Call(HttpContext Context, S3Request Request, S3Caller Caller)
{
    public string AccountId => Caller.AccountId;

    public CancellationToken Aborted => Context.RequestAborted;

    public HttpResponse Response => Context.Response;

    public IHeaderDictionary Headers => Context.Request.Headers;
}
