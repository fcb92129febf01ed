using System.Text.Json.Serialization;
using Sluice.Client;

namespace Sluice.Cli.Commands;

/// <summary>
/// The files <c>sluice spark cluster create</c> and <c>sluice spark job submit</c> read (JSON or YAML): the AZTK SDK's
/// models with its snake_case field names (<c>vm_size</c>, <c>max_dedicated_nodes</c>, <c>application_args</c>, ...).
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(SparkJobConfiguration))]
[JsonSerializable(typeof(SparkClusterConfiguration))]
[JsonSerializable(typeof(List<SparkClusterConfiguration>))]
internal sealed partial class SparkFileJson : JsonSerializerContext;
