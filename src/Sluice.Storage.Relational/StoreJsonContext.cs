using System.Text.Json.Serialization;
using Sluice.Contracts;
using Sluice.Core.Model;

namespace Sluice.Storage.Relational;

// JSON text columns (tags, bootstrap actions, env, successors); enums by name like the other columns.
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(List<BootstrapAction>))]
[JsonSerializable(typeof(List<ClusterApplication>))]
[JsonSerializable(typeof(List<StepFile>))]
[JsonSerializable(typeof(List<Mount>))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
