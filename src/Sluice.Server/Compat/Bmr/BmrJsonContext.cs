using System.Text.Json.Serialization;

namespace Sluice.Server.Compat.Bmr;

/// <summary>
/// The BMR API's JSON contract, source-generated. Numbers are read from strings too: the SDK passes through whatever
/// the caller gave (<c>instanceCount='2'</c> works on BMR).
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(BmrCreateClusterRequest))]
[JsonSerializable(typeof(BmrAddStepsRequest))]
[JsonSerializable(typeof(BmrGroupDisks))]
[JsonSerializable(typeof(BmrCreateClusterResponse))]
[JsonSerializable(typeof(BmrAddStepsResponse))]
[JsonSerializable(typeof(BmrCluster))]
[JsonSerializable(typeof(BmrListClustersResponse))]
[JsonSerializable(typeof(BmrStep))]
[JsonSerializable(typeof(BmrListStepsResponse))]
[JsonSerializable(typeof(BmrError))]
internal sealed partial class BmrJsonContext : JsonSerializerContext;
