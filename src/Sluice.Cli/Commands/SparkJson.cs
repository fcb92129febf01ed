using System.Text.Json.Serialization;
using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Cli.Commands;

/// <summary>What <c>sluice spark ... --output json</c> prints, camelCase like every other command.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SparkApplication))]
[JsonSerializable(typeof(List<SparkApplication>))]
[JsonSerializable(typeof(Dictionary<string, SparkApplication?>))]
[JsonSerializable(typeof(SparkApplicationLog))]
[JsonSerializable(typeof(SparkJob))]
[JsonSerializable(typeof(List<SparkJob>))]
[JsonSerializable(typeof(List<ClusterInfo>))]
internal sealed partial class SparkJson : JsonSerializerContext;
