using System.Data.Common;

namespace Sluice.Storage.Relational;

/// <summary>
/// Fills the row types from a reader by column position, for the hot reads that skip Dapper. Each
/// method expects the columns in the order of the matching <see cref="SqlColumns"/> list.
/// </summary>
internal static class RowReaders
{
    public static AccessKeyRow AccessKey(DbDataReader r) => new()
    {
        KeyId = r.GetString(0),
        AccountId = r.GetString(1),
        Secret = r.GetString(2),
        Enabled = r.GetBoolean(3),
        CreatedAt = r.GetInt64(4),
    };

    public static ClusterRow Cluster(DbDataReader r) => new()
    {
        Id = r.GetString(0),
        AccountId = r.GetString(1),
        Name = r.GetString(2),
        Description = Text(r, 3),
        State = r.GetString(4),
        ReasonCode = Text(r, 5),
        ReasonMessage = Text(r, 6),
        KeepAlive = r.GetBoolean(7),
        TerminationProtected = r.GetBoolean(8),
        LogUri = Text(r, 9),
        Backend = r.GetString(10),
        BootstrapActionsJson = Text(r, 11),
        TagsJson = Text(r, 12),
        OwnerJobId = Text(r, 13),
        HasRunWork = r.GetBoolean(14),
        ClientToken = Text(r, 15),
        RequestHash = Text(r, 16),
        CreatedAt = r.GetInt64(17),
        ReadyAt = Integer(r, 18),
        EndedAt = Integer(r, 19),
        ApplicationsJson = Text(r, 20),
        StepConcurrencyLevel = r.GetInt64(21),
        MountsJson = Text(r, 22),
        ImageId = Text(r, 23),
        EnvironmentJson = Text(r, 24),
        IdleTimeoutSeconds = Integer(r, 25),
    };

    /// <summary>A group whose columns start at <paramref name="at"/>, in <c>GroupColumns</c> order.</summary>
    public static GroupRow Group(DbDataReader r, int at) => new()
    {
        Id = r.GetString(at),
        ClusterId = r.GetString(at + 1),
        Name = r.GetString(at + 2),
        Role = r.GetString(at + 3),
        InstanceType = r.GetString(at + 4),
        Market = r.GetString(at + 5),
        RequestedCount = r.GetInt64(at + 6),
        RunningCount = r.GetInt64(at + 7),
        Vcpus = r.GetInt64(at + 8),
        MemoryMiB = r.GetInt64(at + 9),
        SpotStrategy = Text(r, at + 10),
        SpotPriceLimit = r.IsDBNull(at + 11) ? null : r.GetDouble(at + 11),
    };

    public static JobRow Job(DbDataReader r) => new()
    {
        Id = r.GetString(0),
        AccountId = r.GetString(1),
        Name = r.GetString(2),
        Description = Text(r, 3),
        Priority = r.GetInt64(4),
        State = r.GetString(5),
        ReasonCode = Text(r, 6),
        ReasonMessage = Text(r, 7),
        JobFailOnInstanceFail = r.GetBoolean(8),
        ClusterId = Text(r, 9),
        AutoClusterJson = Text(r, 10),
        TaskCount = r.GetInt64(11),
        ClientToken = Text(r, 12),
        RequestHash = Text(r, 13),
        CreatedAt = r.GetInt64(14),
        StartedAt = Integer(r, 15),
        EndedAt = Integer(r, 16),
        MountsJson = Text(r, 17),
    };

    public static TaskRow Task(DbDataReader r) => new()
    {
        JobId = r.GetString(0),
        AccountId = r.GetString(1),
        Name = r.GetString(2),
        CommandLine = r.GetString(3),
        EnvJson = Text(r, 4),
        InstanceCount = r.GetInt64(5),
        MaxRetryCount = r.GetInt64(6),
        TimeoutSeconds = Integer(r, 7),
        Cpu = r.GetInt64(8),
        MemoryMiB = r.GetInt64(9),
        PackagePath = Text(r, 10),
        StdoutRedirectPath = Text(r, 11),
        StderrRedirectPath = Text(r, 12),
        SuccessorsJson = Text(r, 13),
        State = r.GetString(14),
        StartedAt = Integer(r, 15),
        EndedAt = Integer(r, 16),
    };

    public static InstanceRow Instance(DbDataReader r) => new()
    {
        JobId = r.GetString(0),
        AccountId = r.GetString(1),
        TaskName = r.GetString(2),
        Index = r.GetInt64(3),
        State = r.GetString(4),
        Attempts = r.GetInt64(5),
        NodeId = Text(r, 6),
        Host = Text(r, 7),
        ExitCode = Integer(r, 8),
        ErrorCode = Text(r, 9),
        ErrorMessage = Text(r, 10),
        StartedAt = Integer(r, 11),
        EndedAt = Integer(r, 12),
        Preemptions = r.GetInt64(13),
    };

    private static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static long? Integer(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);
}
