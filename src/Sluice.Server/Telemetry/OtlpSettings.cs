using Microsoft.Extensions.Configuration;
using OpenTelemetry.Exporter;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Server.Hosting;

namespace Sluice.Server.Telemetry;

/// <summary>
/// Where traces and metrics go over OTLP: <see cref="SluiceServerOptions.OtlpEndpoint"/>, else the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>; the protocol from <see cref="SluiceServerOptions.OtlpProtocol"/>, else
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, else http/protobuf (the OpenTelemetry specification's default). Checked when the
/// server is built, so a bad value fails the start with what to set instead of losing telemetry in silence.
/// </summary>
internal sealed record OtlpSettings(Uri Endpoint, OtlpExportProtocol Protocol)
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string ProtocolVariable = "OTEL_EXPORTER_OTLP_PROTOCOL";

    /// <summary>The settings, or null when no endpoint is configured (no OTLP export).</summary>
    /// <exception cref="ServiceException">InvalidParameter: the endpoint or the protocol is not usable.</exception>
    public static OtlpSettings? Resolve(SluiceServerOptions options, IConfiguration configuration)
    {
        var endpoint = options.OtlpEndpoint ?? configuration[EndpointVariable];
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return null;
        }
        if (!Uri.TryCreate(endpoint.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new ServiceException(ErrorCodes.InvalidParameter,
                $"the OTLP endpoint '{endpoint}' is not an http(s) address without query or credentials; set OtlpEndpoint (sluice up --otlp-endpoint, env {EndpointVariable}) to the receiver's base address, such as http://127.0.0.1:4318");
        }
        var protocol = (options.OtlpProtocol ?? configuration[ProtocolVariable])?.Trim().ToLowerInvariant() switch
        {
            null or "" or "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
            "grpc" => OtlpExportProtocol.Grpc,
            var other => throw new ServiceException(ErrorCodes.InvalidParameter,
                $"the OTLP protocol '{other}' is not supported; use http/protobuf (the default) or grpc (env {ProtocolVariable})"),
        };
        return new OtlpSettings(uri, protocol);
    }

    /// <summary>Points an exporter at the endpoint; over HTTP each signal has its own path (<c>v1/traces</c>, <c>v1/metrics</c>) under it.</summary>
    public void Apply(OtlpExporterOptions exporter, string signalPath)
    {
        exporter.Protocol = Protocol;
        exporter.Endpoint = Protocol == OtlpExportProtocol.HttpProtobuf
            ? new Uri(Endpoint.AbsoluteUri.TrimEnd('/') + "/" + signalPath)
            : Endpoint;
    }
}
