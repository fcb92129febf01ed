using Sluice.Contracts;

namespace Sluice.Client.Tests.Infrastructure;

/// <summary>Sample wire objects.</summary>
public static class Fixtures
{
    public static ClusterInfo Cluster(string id, string state, StateChangeReason? reason = null) => new()
    {
        Id = id,
        Name = "c-" + id,
        State = state,
        StateChangeReason = reason,
        Backend = "local",
        CreatedAt = DateTimeOffset.UnixEpoch,
    };

    public static JobInfo Job(string id, string state) => new() { Id = id, Name = "j-" + id, State = state, ClusterId = "c-1" };

    public static Reply ClusterReply(string id, string state, int status = 200) =>
        Reply.Json(Cluster(id, state), SluiceJsonContext.Default.ClusterInfo, status);

    public static WaitOptions FastWait(TimeSpan? timeout = null) =>
        new() { PollInterval = TimeSpan.FromMilliseconds(1), MaxPollInterval = TimeSpan.FromMilliseconds(2), Timeout = timeout };
}
