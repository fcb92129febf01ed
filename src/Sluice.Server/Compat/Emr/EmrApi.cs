using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.Clusters;
using Sluice.Core.Steps;
using Sluice.Server.Api;
using Sluice.Server.Auth;

namespace Sluice.Server.Compat.Emr;

/// <summary>
/// The AWS EMR API on Sluice's port: JSON 1.1 (<c>X-Amz-Target: ElasticMapReduce.Operation</c>, boto3 and awscli) and
/// the 2009-03-31 Query protocol with XML answers (boto 2), both signed with SigV4 for service
/// <c>elasticmapreduce</c> with the account's Sluice access key. Clusters and steps are Sluice's own (the same
/// resource in the native API), reached through the core services as the signing account.
/// </summary>
internal sealed partial class EmrApi(SignatureAuthentication authentication, ClusterService clusters, StepService steps, ApplicationCatalog applications, ApiSettings settings,
    ILogger<EmrApi> logger) : ICompatibilityApi
{
    private readonly EmrOperations operations = new(clusters, steps, applications, settings);

    public const string Service = "elasticmapreduce";
    private const string TargetPrefix = "ElasticMapReduce.";
    private const string TargetHeader = "X-Amz-Target";

    /// <summary>
    /// EMR's requests: a SigV4 signature for service elasticmapreduce, an <c>X-Amz-Target</c> naming EMR (so an
    /// unsigned one still gets EMR's error), or a Query request to <c>/</c> (a form body or <c>Action=</c>) that is not
    /// signed for another service.
    /// </summary>
    public bool Recognises(HttpRequest request)
    {
        if (request.Headers[TargetHeader].ToString().StartsWith(TargetPrefix, StringComparison.Ordinal))
        {
            return true;
        }
        var service = SignedService(request.Headers.Authorization.ToString());
        if (service == Service)
        {
            return true;
        }
        if (service is not null || request.Path != "/" || !(HttpMethods.IsPost(request.Method) || HttpMethods.IsGet(request.Method)))
        {
            return false;
        }
        return request.Query.ContainsKey("Action") || (request.HasFormContentType && HttpMethods.IsPost(request.Method));
    }

    /// <summary>The service of a SigV4 Authorization header (<c>Credential=key/date/region/SERVICE/aws4_request</c>), or null.</summary>
    private static string? SignedService(string authorization)
    {
        var at = authorization.IndexOf("Credential=", StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }
        var end = authorization.IndexOfAny([',', ' '], at);
        var parts = authorization[(at + "Credential=".Length)..(end < 0 ? authorization.Length : end)].Split('/');
        return parts.Length == 5 ? parts[3] : null;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var protocol = request.Headers.ContainsKey(TargetHeader) ? EmrProtocol.Json : EmrProtocol.Query;
        var requestId = Guid.NewGuid().ToString();
        var operation = "";
        try
        {
            if (request.ContentLength > settings.MaxRequestBodyBytes)
            {
                throw EmrException.Invalid(ApiErrors.TooLargeMessage(settings));
            }
            // botocore signs nothing unique per call (its invocation id is added after signing): two equal describes in one
            // second carry one signature. Only the operations that create something are accepted once.
            var (code, message) = await authentication.VerifyAsync(context, Service, guardReplays: false).ConfigureAwait(false);
            if (code is not null)
            {
                throw EmrException.From(code, message!);
            }
            JsonObject input;
            if (protocol == EmrProtocol.Json)
            {
                var target = request.Headers[TargetHeader].ToString();
                operation = target.StartsWith(TargetPrefix, StringComparison.Ordinal) ? target[TargetPrefix.Length..] : target;
                Supported(operation, protocol, EmrOperations.JsonOperations);
                input = await ReadJsonAsync(request).ConfigureAwait(false);
            }
            else
            {
                var parameters = new List<KeyValuePair<string, string>>();
                parameters.AddRange(request.Query.Select(q => new KeyValuePair<string, string>(q.Key, q.Value.ToString())));
                if (request.HasFormContentType)
                {
                    var form = await request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
                    parameters.AddRange(form.Select(f => new KeyValuePair<string, string>(f.Key, f.Value.ToString())));
                }
                operation = parameters.FirstOrDefault(p => p.Key == "Action").Value ?? "";
                if (operation.Length == 0)
                {
                    throw new EmrException("MissingAction", "the request names no Action; send Action=RunJobFlow (or another operation) and Version=2009-03-31");
                }
                Supported(operation, protocol, EmrOperations.QueryOperations);
                input = EmrInput.FromQuery(parameters);
            }
            if (operation is "RunJobFlow" or "AddJobFlowSteps" && authentication.RecordOnce(context) is ({ } replayed, var replayMessage))
            {
                throw EmrException.From(replayed, replayMessage!);
            }
            var account = SignatureAuthentication.AccountId(context);
            var result = await operations.InvokeAsync(operation, account, input, context.RequestAborted).ConfigureAwait(false);
            await EmrOutput.WriteResultAsync(context, protocol, operation, result, requestId).ConfigureAwait(false);
        }
        catch (EmrException e) when (!context.Response.HasStarted)
        {
            await EmrOutput.WriteErrorAsync(context, protocol, e, requestId).ConfigureAwait(false);
        }
        catch (ServiceException e) when (!context.Response.HasStarted)
        {
            await EmrOutput.WriteErrorAsync(context, protocol, EmrException.From(e), requestId).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            await EmrOutput.WriteErrorAsync(context, protocol, EmrException.Invalid(e.StatusCode == StatusCodes.Status413PayloadTooLarge ? ApiErrors.TooLargeMessage(settings) : e.Message), requestId).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            LogUnhandled(logger, operation, requestId, e);
            await EmrOutput.WriteErrorAsync(context, protocol,
                new EmrException(EmrException.InternalServerError, $"an unexpected error occurred; retry, and report request id {requestId} if it persists", 500), requestId).ConfigureAwait(false);
        }
    }

    private static void Supported(string operation, EmrProtocol protocol, IReadOnlySet<string> supported)
    {
        if (!supported.Contains(operation))
        {
            var name = protocol == EmrProtocol.Json ? TargetPrefix + operation : operation;
            throw new EmrException(EmrException.UnknownOperation,
                $"operation {name} is not supported by Sluice's EMR API ({(protocol == EmrProtocol.Json ? "JSON" : "Query")} protocol); supported: {string.Join(", ", supported.Order(StringComparer.Ordinal))}");
        }
    }

    private static async Task<JsonObject> ReadJsonAsync(HttpRequest request)
    {
        if (request.ContentLength is 0)
        {
            return [];
        }
        try
        {
            var node = await JsonNode.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted).ConfigureAwait(false);
            return node as JsonObject ?? (node is null ? [] : throw new EmrException("SerializationException", "the request body must be a JSON object"));
        }
        catch (JsonException e)
        {
            throw new EmrException("SerializationException", $"the request body is not valid JSON: {e.Message}");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "EMR operation {Operation} (request {RequestId}) failed")]
    private static partial void LogUnhandled(ILogger logger, string operation, string requestId, Exception exception);
}
