using System.Globalization;

namespace Sluice.Backends.Local;

/// <summary>
/// The unprivileged user each account's sandboxed tasks run as when the server runs as root: the next free uid of a
/// range, the first time an account runs a task, kept in a file of the backend's root (hidden from tasks) so the mapping
/// outlives the server. The group id is the same number. Accounts never share a uid; one account keeps its uid.
/// </summary>
internal sealed class AccountUids(string file, int first, int count)
{
    private readonly Lock _gate = new();
    private Dictionary<string, int>? _uids;

    public int Of(string accountId)
    {
        lock (_gate)
        {
            _uids ??= Load();
            if (_uids.TryGetValue(accountId, out var uid))
            {
                return uid;
            }
            if (_uids.Count >= count)
            {
                throw new InvalidOperationException(
                    $"no uid left for account {accountId}: all {count} of {first}-{first + count - 1} are taken (LocalBackendOptions.SandboxUidCount)");
            }
            uid = first + _uids.Count;
            // Appended before it is used: a crash right after can only leave the uid allocated, never given twice.
            File.AppendAllText(file, string.Create(CultureInfo.InvariantCulture, $"{accountId}\t{uid}\n"));
            _uids[accountId] = uid;
            return uid;
        }
    }

    private Dictionary<string, int> Load()
    {
        var uids = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!File.Exists(file))
        {
            return uids;
        }
        foreach (var line in File.ReadLines(file))
        {
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab > 0 && int.TryParse(line.AsSpan(tab + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
            {
                uids.TryAdd(line[..tab], uid);
            }
        }
        return uids;
    }
}
