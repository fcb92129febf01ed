namespace Sluice.Contracts;

/// <summary>HTTP header names of the Sluice protocol.</summary>
public static class SluiceHeaders
{
    /// <summary>The id of the request, on every response.</summary>
    public const string RequestId = "x-sluice-request-id";
    /// <summary>Total size in bytes of a log file, on log reads.</summary>
    public const string LogSize = "x-sluice-log-size";
    /// <summary>"true" when the log will not grow any more, on log reads.</summary>
    public const string LogComplete = "x-sluice-log-complete";
}
