namespace Sluice.Core;

/// <summary>The documented limits of requests; validation errors quote them.</summary>
public static class Limits
{
    public const int NameLength = 256;
    public const int DescriptionLength = 4096;
    public const int MaxPriority = 1000;
    public const int MaxInstanceCount = 100_000;
    public const int MaxTasksPerJob = 100_000;
    public const long MaxInstancesPerJob = 1_000_000;
    public const int MaxRetryCount = 100;
    public const int MaxTimeoutSeconds = 7 * 24 * 3600;
    public const int CommandLineLength = 32 * 1024;
    public const int MaxEnvVariables = 256;
    public const int MaxCpuPerTask = 1024;
    public const int MaxGroups = 50;
    public const int MaxNodesPerGroup = 1000;
    public const int MaxTags = 50;
    public const int MaxBootstrapActions = 16;
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 1000;
}
