using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sluice.Streaming;

/// <summary>Source-generated JSON for task specs and results exchanged with remote workers.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, WriteIndented = false)]
[JsonSerializable(typeof(StreamingTaskSpec))]
[JsonSerializable(typeof(StreamingTaskResult))]
public sealed partial class StreamingJsonContext : JsonSerializerContext;
