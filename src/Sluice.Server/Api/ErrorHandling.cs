using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Sluice.Contracts;
using Sluice.Core;

namespace Sluice.Server.Api;

/// <summary>Turns exceptions into the error body: known failures keep their code, the rest are InternalError.</summary>
internal sealed partial class ErrorHandling(ILogger<ErrorHandling> logger, ApiSettings settings)
{
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (ServiceException ex) when (!context.Response.HasStarted)
        {
            await ApiErrors.WriteAsync(context, ex).ConfigureAwait(false);
        }
        catch (JsonException ex) when (!context.Response.HasStarted)
        {
            var where = ex.Path is null ? "" : $" at {ex.Path}";
            await ApiErrors.WriteAsync(context, ErrorCodes.MalformedRequest, $"the request body is not valid JSON for this operation{where}: {FirstSentence(ex.Message)}").ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            var code = ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? ErrorCodes.RequestTooLarge : ErrorCodes.MalformedRequest;
            var message = code == ErrorCodes.RequestTooLarge ? ApiErrors.TooLargeMessage(settings) : ex.Message;
            await ApiErrors.WriteAsync(context, code, message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            LogUnhandled(logger, RequestIds.Get(context), ex);
            await ApiErrors.WriteAsync(context, ErrorCodes.InternalError, $"an unexpected error occurred; retry, and report request id {RequestIds.Get(context)} if it persists").ConfigureAwait(false);
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "request {RequestId} failed")]
    private static partial void LogUnhandled(ILogger logger, string requestId, Exception exception);
}
