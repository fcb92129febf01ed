using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sluice.Contracts;

/// <summary>
/// Source-generated JSON metadata for every wire type: camelCase, nulls omitted, enums as strings,
/// unknown members ignored (models round-trip and tolerate newer servers).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    AllowTrailingCommas = true,
    ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(CreatedResponse))]
[JsonSerializable(typeof(CreateClusterRequest))]
[JsonSerializable(typeof(ClusterInfo))]
[JsonSerializable(typeof(NodeInfo))]
[JsonSerializable(typeof(ResizeInstanceGroupRequest))]
[JsonSerializable(typeof(PreemptNodeRequest))]
[JsonSerializable(typeof(UpdateClusterRequest))]
[JsonSerializable(typeof(ListResponse<ClusterInfo>))]
[JsonSerializable(typeof(ListResponse<NodeInfo>))]
[JsonSerializable(typeof(ListResponse<ImageInfo>))]
[JsonSerializable(typeof(CreateJobRequest))]
[JsonSerializable(typeof(JobInfo))]
[JsonSerializable(typeof(TaskInfo))]
[JsonSerializable(typeof(InstanceInfo))]
[JsonSerializable(typeof(ListResponse<JobInfo>))]
[JsonSerializable(typeof(ListResponse<TaskInfo>))]
[JsonSerializable(typeof(ListResponse<InstanceInfo>))]
[JsonSerializable(typeof(ListResponse<StateEventInfo>))]
[JsonSerializable(typeof(AddStepsRequest))]
[JsonSerializable(typeof(AddStepsResponse))]
[JsonSerializable(typeof(StepInfo))]
[JsonSerializable(typeof(StepConfig))]
[JsonSerializable(typeof(List<StepConfig>))]
[JsonSerializable(typeof(ListResponse<StepInfo>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(CreateAccountRequest))]
[JsonSerializable(typeof(CreateAccountResponse))]
[JsonSerializable(typeof(AccountInfo))]
[JsonSerializable(typeof(CallerInfo))]
[JsonSerializable(typeof(AccessKeyInfo))]
[JsonSerializable(typeof(NewAccessKey))]
[JsonSerializable(typeof(NodeSessionMessage))]
[JsonSerializable(typeof(ListResponse<AccountInfo>))]
[JsonSerializable(typeof(ListResponse<AccessKeyInfo>))]
public sealed partial class SluiceJsonContext : JsonSerializerContext;
