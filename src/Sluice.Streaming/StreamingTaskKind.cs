namespace Sluice.Streaming;

/// <summary>Which side of the job a task runs.</summary>
public enum StreamingTaskKind
{
    Map,
    Reduce,
}
