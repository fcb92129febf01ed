using Microsoft.AspNetCore.Builder;
using Microsoft.OpenApi;
using Sluice.Contracts;
using Sluice.Core;

namespace Sluice.Server.Api;

/// <summary>
/// What the endpoints tell the OpenAPI document beyond their signatures: the query parameters they read themselves
/// and the error codes they answer with. <see cref="ApiOperationDocumentation"/> turns the metadata into parameters
/// and responses.
/// </summary>
internal static class ApiDocumentation
{
    /// <summary>Descriptions of the path parameters, by name: one wording for a name wherever the API uses it.</summary>
    public static readonly IReadOnlyDictionary<string, string> PathParameters = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["clusterId"] = "The cluster's id (as returned by CreateCluster), in the caller's account.",
        ["stepId"] = "The step's id (as returned by AddSteps), on that cluster.",
        ["group"] = "The instance group's id or its name.",
        ["nodeId"] = "The node's id (as ListNodes returns it), in that cluster.",
        ["jobId"] = "The job's id (as returned by CreateJob), in the caller's account.",
        ["taskName"] = "The task's name: its key in the job's DAG.",
        ["index"] = "The instance's index, from 0 to the task's instanceCount - 1.",
        ["stream"] = "Which output of the instance: stdout or stderr.",
        ["log"] = "Which log of the step: controller (what Sluice did), stdout or stderr.",
        ["accessKeyId"] = "The access key's id, in the caller's account.",
        ["accountId"] = "The account's id.",
    };

    /// <summary>The accepted values of enumerated path parameters.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> PathParameterValues = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["stream"] = ["stdout", "stderr"],
        ["log"] = ["controller", "stdout", "stderr"],
    };

    /// <summary>Declares error codes the operation answers with (besides authentication, body and server errors, which every operation documents).</summary>
    public static TBuilder Errors<TBuilder>(this TBuilder builder, params string[] codes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ErrorCodesMetadata(codes));

    /// <summary>A listing: <c>marker</c> and <c>maxKeys</c> (see <see cref="Paging"/>).</summary>
    public static TBuilder Paged<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(
            new QueryParameter("marker", "Where the page starts: the nextMarker of the previous page (opaque); omit it for the first page.", JsonSchemaType.String),
            new QueryParameter("maxKeys", $"The most items the page holds (default {Limits.DefaultPageSize}).", JsonSchemaType.Integer)
            {
                Default = Limits.DefaultPageSize,
                Minimum = 1,
                Maximum = Limits.MaxPageSize,
            },
            new ErrorCodesMetadata([ErrorCodes.InvalidParameter, ErrorCodes.InvalidMarker]));

    /// <summary>A listing filtered by <c>state</c> (see <see cref="Paging.States{TEnum}"/>).</summary>
    public static TBuilder StateFilter<TBuilder, TEnum>(this TBuilder builder, string what) where TBuilder : IEndpointConventionBuilder where TEnum : struct, Enum =>
        builder.WithMetadata(
            new QueryParameter("state", $"Only {what} in these states (repeat it, or separate states by commas; case does not matter); all when absent.", JsonSchemaType.Array)
            {
                Values = Enum.GetNames<TEnum>(),
            },
            new ErrorCodesMetadata([ErrorCodes.InvalidParameter]));

    /// <summary>A listing filtered by creation time: <c>createdAfter</c> and <c>createdBefore</c> (see <see cref="Paging.Filter{TState}"/>).</summary>
    public static TBuilder CreatedFilter<TBuilder>(this TBuilder builder, string what) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(
            new QueryParameter("createdAfter", $"Only {what} created at or after this time (ISO 8601; UTC unless an offset is given); no lower bound when absent.", JsonSchemaType.String),
            new QueryParameter("createdBefore", $"Only {what} created at or before this time (ISO 8601; UTC unless an offset is given); no upper bound when absent.", JsonSchemaType.String),
            new ErrorCodesMetadata([ErrorCodes.InvalidParameter]));

    /// <summary>A log read: <c>offset</c> and <c>length</c> (see <see cref="LogResponses.Range"/>).</summary>
    public static TBuilder LogRange<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(
            new QueryParameter("offset", "The byte of the log to start at (default 0); at or past its end the body is empty. The x-sluice-log-size header gives the size.", JsonSchemaType.Integer)
            {
                Default = 0,
                Minimum = 0,
                Maximum = long.MaxValue,
            },
            new QueryParameter("length", $"The most bytes to return (default {LogResponses.DefaultRead >> 20} MiB).", JsonSchemaType.Integer)
            {
                Default = LogResponses.DefaultRead,
                Minimum = 0,
                Maximum = LogResponses.MaxRead,
            },
            new ErrorCodesMetadata([ErrorCodes.InvalidParameter]));

    /// <summary>One more query parameter.</summary>
    public static TBuilder Query<TBuilder>(this TBuilder builder, QueryParameter parameter) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(parameter);
}
