namespace Sluice.Core.Model;

/// <summary>Why an instance attempt failed (<see cref="TaskInstance.ErrorCode"/>).</summary>
public static class InstanceErrorCodes
{
    public const string NonZeroExit = "NonZeroExit";
    public const string TimedOut = "TimedOut";
    public const string LaunchFailed = "LaunchFailed";
    public const string Stopped = "Stopped";
    public const string NodeLost = "NodeLost";
    /// <summary>The attempt's Spot node was preempted; the instance was requeued without using one of its retries.</summary>
    public const string Preempted = "Preempted";
    /// <summary>The task's package could not be fetched or unpacked; the instance never launched.</summary>
    public const string PackageUnavailable = "PackageUnavailable";
    /// <summary>A mount's source could not be copied into the working directory; the instance never launched.</summary>
    public const string MountUnavailable = "MountUnavailable";
    /// <summary>The bucket of the task's package or of a mount source is not the account's (any more); the instance never launched.</summary>
    public const string AccessDenied = Contracts.ErrorCodes.AccessDenied;
    /// <summary>The instance ended but files of a writable mount could not be uploaded back.</summary>
    public const string MountWriteBackFailed = "MountWriteBackFailed";
}
