using System.Text.Json.Serialization;
using Sluice.Core.Ports;

namespace Sluice.Backends.Local.Agent;

/// <summary>
/// One line of the node agent's protocol: newline-delimited JSON over its Unix socket, both ways. Requests carry an
/// <see cref="Id"/> the agent's <c>reply</c> repeats; <c>exited</c> is sent by the agent unasked.
/// </summary>
internal sealed record AgentMessage
{
    /// <summary>hello, provision, release, launch, kill, interrupt, adopt, ack, bye, shutdown; reply, exited.</summary>
    public required string Op { get; init; }
    public long Id { get; init; }
    /// <summary>The launch a kill, interrupt, ack or exited is about: its <see cref="LaunchRequest.Key"/>, or an agent-made handle.</summary>
    public string? Handle { get; init; }
    public string? Error { get; init; }
    /// <summary>hello: the agent's build and options (<see cref="AgentFiles.Fingerprint"/>); a server only uses an agent with its own.</summary>
    public string? Fingerprint { get; init; }
    public int? ProcessId { get; init; }
    public ProvisionRequest? Provision { get; init; }
    public IReadOnlyList<ProvisionedNode>? Nodes { get; init; }
    public string? ClusterId { get; init; }
    public IReadOnlyList<string>? NodeIds { get; init; }
    public LaunchRequest? Launch { get; init; }
    /// <summary>launch reply: the process id.</summary>
    public string? BackendId { get; init; }
    public ProcessExit? Exit { get; init; }
    public IReadOnlyList<string>? Keys { get; init; }
    public IReadOnlyList<AgentAdoption>? Adopted { get; init; }
    /// <summary>adopt reply: the keys whose launch the agent refused (it came from a replaced server), so that they never ran.</summary>
    public IReadOnlyList<string>? NotLaunched { get; init; }
}

/// <summary>A launch the agent still knows of, for <c>adopt</c>: running (no <see cref="Exit"/>) or ended and not yet acknowledged.</summary>
internal sealed record AgentAdoption(string Key, string BackendId, string WorkingDirectory, ProcessExit? Exit);

/// <summary>An exit kept until the server acknowledges it, in <see cref="AgentExitJournal"/>.</summary>
internal sealed record AgentExitRecord(string Key, string BackendId, string WorkingDirectory, ProcessExit Exit);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(AgentMessage))]
[JsonSerializable(typeof(AgentExitRecord))]
[JsonSerializable(typeof(LocalBackendOptions))]
internal sealed partial class AgentJson : JsonSerializerContext;
