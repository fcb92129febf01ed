namespace Sluice.Server.Hosting;

/// <summary>
/// The id a server has among the servers sharing a PostgreSQL database, kept in <c>&lt;data&gt;/server-id</c>: a server
/// restarted on the same data directory (where its nodes and logs are) is the same server, and reclaims the clusters
/// it ran at once instead of waiting for their leases to run out.
/// </summary>
internal static class ServerIdentity
{
    public static string Load(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "server-id");
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } existing)
        {
            return existing;
        }
        var id = $"{Environment.MachineName}-{Guid.NewGuid().ToString("N")[..12]}";
        // Written whole under a temporary name, so a crash never leaves a torn id behind.
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, id + "\n");
        File.Move(temporary, path, overwrite: true);
        return id;
    }
}
