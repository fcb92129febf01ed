namespace Sluice.Contracts;

/// <summary>Why a resource is in its current state.</summary>
public sealed class StateChangeReason
{
    /// <summary>A stable reason code, such as <c>UserRequest</c>, <c>AllStepsCompleted</c>, <c>BootstrapFailure</c>.</summary>
    public string Code { get; set; } = "";

    /// <summary>A human-readable explanation.</summary>
    public string Message { get; set; } = "";
}
