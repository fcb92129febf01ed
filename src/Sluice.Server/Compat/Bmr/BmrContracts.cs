using System.Text.Json;
using System.Text.Json.Serialization;
using Sluice.Contracts;

namespace Sluice.Server.Compat.Bmr;

// The wire shapes of the BMR REST API as bce-sdk-python's BmrClient sends and reads them, grouped in one file
// because they only make sense together. Unknown request fields are ignored; response keys are camelCase.

/// <summary>The body of <c>POST /v1/cluster</c>.</summary>
internal sealed class BmrCreateClusterRequest
{
    public string? ImageType { get; set; }
    public string? ImageVersion { get; set; }
    public List<BmrInstanceGroupConfig>? InstanceGroups { get; set; }
    public List<ApplicationConfig>? Applications { get; set; }
    public bool? AutoTerminate { get; set; }
    public string? LogUri { get; set; }
    public string? Name { get; set; }
    public List<StepConfig>? Steps { get; set; }
}

/// <summary>One instance group as the SDK's <c>instance_group()</c> makes it.</summary>
internal sealed class BmrInstanceGroupConfig
{
    /// <summary>Master, Core or Task.</summary>
    public string? Type { get; set; }
    public int InstanceCount { get; set; }
    public string? InstanceType { get; set; }
    /// <summary>A number, a numeric string or "" (the SDK's sample sends ""): kept as sent.</summary>
    [JsonPropertyName("rootDiskSizeInGB")]
    public JsonElement? RootDiskSizeInGB { get; set; }
    public string? RootDiskMediumType { get; set; }
    /// <summary>null or a list of <c>{sizeInGB, mediumType}</c>: kept as sent.</summary>
    public JsonElement? Cds { get; set; }
    public string? Name { get; set; }
}

/// <summary>The disk attributes of a group, kept with the cluster and shown by get cluster.</summary>
internal sealed class BmrGroupDisks
{
    [JsonPropertyName("rootDiskSizeInGB")]
    public JsonElement? RootDiskSizeInGB { get; set; }
    public string? RootDiskMediumType { get; set; }
    public JsonElement? Cds { get; set; }
}

/// <summary>The body of <c>POST /v1/cluster/{id}/step</c>.</summary>
internal sealed class BmrAddStepsRequest
{
    public List<StepConfig>? Steps { get; set; }
}

internal sealed class BmrCreateClusterResponse
{
    public string ClusterId { get; set; } = "";
}

internal sealed class BmrAddStepsResponse
{
    public List<string> StepIds { get; set; } = [];
}

/// <summary>A cluster as get and list show it.</summary>
internal sealed class BmrCluster
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string? ImageType { get; set; }
    public string? ImageVersion { get; set; }
    public string? LogUri { get; set; }
    public bool AutoTerminate { get; set; }
    public List<BmrApplication> Applications { get; set; } = [];
    public List<BmrInstanceGroup> InstanceGroups { get; set; } = [];
    public BmrClusterStatus Status { get; set; } = new();
}

internal sealed class BmrApplication
{
    public string Name { get; set; } = "";
    public string? Version { get; set; }
}

internal sealed class BmrInstanceGroup
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string Type { get; set; } = "";
    public string InstanceType { get; set; } = "";
    public int InstanceCount { get; set; }
    /// <summary>The nodes up now (Sluice's running count).</summary>
    public int RunningInstanceCount { get; set; }
    [JsonPropertyName("rootDiskSizeInGB")]
    public JsonElement? RootDiskSizeInGB { get; set; }
    public string? RootDiskMediumType { get; set; }
    public JsonElement? Cds { get; set; }
}

internal sealed class BmrClusterStatus
{
    public string? Code { get; set; }
    public string? Message { get; set; }
    public string State { get; set; } = "";
    public string CreateDateTime { get; set; } = "";
    public string? ReadyDateTime { get; set; }
    public string? EndDateTime { get; set; }
}

internal sealed class BmrListClustersResponse
{
    public List<BmrCluster> Clusters { get; set; } = [];
    public string? Marker { get; set; }
    public bool IsTruncated { get; set; }
    public string? NextMarker { get; set; }
    public int MaxKeys { get; set; }
}

/// <summary>A step as get and list show it.</summary>
internal sealed class BmrStep
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string Type { get; set; } = "";
    public string ActionOnFailure { get; set; } = "";
    public BmrStepProperties Properties { get; set; } = new();
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<StepFile>? AdditionalFiles { get; set; }
    public BmrStepStatus Status { get; set; } = new();
}

/// <summary>Step properties as BMR shows them: strings, arguments as one shell-quoted string; absent fields left out.</summary>
internal sealed class BmrStepProperties
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Jar { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MainClass { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Mapper { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reducer { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Script { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Input { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Output { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Arguments { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SubmitOptions { get; set; }
}

/// <summary>
/// A step's status. The SDK's own tests read createDateTime/startDateTime/endDateTime; createTime/startTime/endTime
/// carry the same values for readers of the other spelling.
/// </summary>
internal sealed class BmrStepStatus
{
    public string? Code { get; set; }
    public string? Message { get; set; }
    public string State { get; set; } = "";
    public string CreateDateTime { get; set; } = "";
    public string? StartDateTime { get; set; }
    public string? EndDateTime { get; set; }
    public string CreateTime { get; set; } = "";
    public string? StartTime { get; set; }
    public string? EndTime { get; set; }
}

/// <summary>The marker/maxKeys listing of steps (SDK 0.8.x), or the pageNo/pageSize one (0.8.71+), which sets the page fields instead.</summary>
internal sealed class BmrListStepsResponse
{
    public List<BmrStep> Steps { get; set; } = [];
    public bool IsTruncated { get; set; }
    public string? Marker { get; set; }
    public string? NextMarker { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MaxKeys { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? PageNo { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? PageSize { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? TotalCount { get; set; }
}

internal sealed class BmrError
{
    public string Code { get; set; } = "";
    public string Message { get; set; } = "";
    public string RequestId { get; set; } = "";
}
