using System.Text;

namespace Sluice.Client;

/// <summary>
/// Reads and writes the INI credentials file (<c>~/.sluice/credentials</c>): one <c>[profile]</c> section per
/// endpoint with <c>endpoint</c>, <c>access_key_id</c> and <c>secret_access_key</c>. <c>sluice up</c> writes the
/// <c>local</c> profile with <see cref="Write(string, string, Uri, string, string, IReadOnlyList{KeyValuePair{string, string}})"/>.
/// </summary>
public static class SluiceProfileFile
{
    private static readonly System.Buffers.SearchValues<char> NotInSettingKeys = System.Buffers.SearchValues.Create("=[]#;\r\n");

    /// <summary>The default file: <c>~/.sluice/credentials</c> under the user's home directory.</summary>
    public static string DefaultPath =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".sluice", "credentials");

    /// <summary>
    /// Writes (adds or replaces) one profile in a credentials file, keeping the file's other profiles. The file is
    /// replaced atomically and, on Unix, created with mode 0600 (owner read/write only) in a directory the owner
    /// alone may enter when it is created here.
    /// </summary>
    /// <param name="path">The file, such as <see cref="DefaultPath"/>.</param>
    /// <param name="profileName">The section name, such as <c>local</c>.</param>
    /// <param name="endpoint">The service endpoint.</param>
    /// <param name="accessKeyId">The access key id.</param>
    /// <param name="secretAccessKey">The secret access key.</param>
    /// <exception cref="ArgumentException">A value is null, empty, or contains a line break or bracket where it cannot.</exception>
    public static void Write(string path, string profileName, Uri endpoint, string accessKeyId, string secretAccessKey) =>
        Write(path, profileName, endpoint, accessKeyId, secretAccessKey, settings: null);

    /// <summary>
    /// Writes (adds or replaces) one profile as <see cref="Write(string, string, Uri, string, string)"/> does, with more
    /// <c>key = value</c> lines after the keys: what the writer knows of the server, such as the data directory
    /// <c>sluice up</c> serves (read back with <see cref="ReadSetting"/>).
    /// </summary>
    /// <param name="path">The file, such as <see cref="DefaultPath"/>.</param>
    /// <param name="profileName">The section name, such as <c>local</c>.</param>
    /// <param name="endpoint">The service endpoint.</param>
    /// <param name="accessKeyId">The access key id.</param>
    /// <param name="secretAccessKey">The secret access key.</param>
    /// <param name="settings">More settings of the profile, in the order given; default null: none.</param>
    /// <exception cref="ArgumentException">A value is null, empty, or contains a line break or bracket where it cannot; a setting's key is empty, has '=', or is one of the three above.</exception>
    public static void Write(string path, string profileName, Uri endpoint, string accessKeyId, string secretAccessKey, IReadOnlyList<KeyValuePair<string, string>>? settings)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(profileName);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(accessKeyId);
        ArgumentException.ThrowIfNullOrWhiteSpace(secretAccessKey);
        if (profileName.AsSpan().IndexOfAny("[]\r\n") >= 0)
        {
            throw new ArgumentException("A profile name cannot contain brackets or line breaks.", nameof(profileName));
        }
        if (accessKeyId.AsSpan().IndexOfAny("\r\n") >= 0 || secretAccessKey.AsSpan().IndexOfAny("\r\n") >= 0)
        {
            throw new ArgumentException("Keys cannot contain line breaks.", nameof(accessKeyId));
        }
        foreach (var (key, value) in settings ?? [])
        {
            if (string.IsNullOrWhiteSpace(key) || key.AsSpan().IndexOfAny(NotInSettingKeys) >= 0 || key.Trim() != key || value.AsSpan().IndexOfAny("\r\n") >= 0
                || key is "endpoint" or "access_key_id" or "secret_access_key")
            {
                throw new ArgumentException($"'{key}' cannot be a profile setting: a key is a word without '=', brackets or line breaks, other than endpoint and the keys, and a value has no line breaks.", nameof(settings));
            }
        }

        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        var kept = new List<string>();
        if (File.Exists(full))
        {
            var skipping = false;
            foreach (var line in File.ReadAllLines(full))
            {
                var section = SectionName(line);
                if (section is not null)
                {
                    skipping = string.Equals(section, profileName, StringComparison.Ordinal);
                }
                if (!skipping)
                {
                    kept.Add(line);
                }
            }
            while (kept.Count > 0 && string.IsNullOrWhiteSpace(kept[^1]))
            {
                kept.RemoveAt(kept.Count - 1);
            }
        }

        var text = new StringBuilder();
        foreach (var line in kept)
        {
            text.Append(line).Append('\n');
        }
        if (kept.Count > 0)
        {
            text.Append('\n');
        }
        text.Append('[').Append(profileName).Append("]\n");
        text.Append("endpoint = ").Append(endpoint.AbsoluteUri).Append('\n');
        text.Append("access_key_id = ").Append(accessKeyId.Trim()).Append('\n');
        text.Append("secret_access_key = ").Append(secretAccessKey.Trim()).Append('\n');
        foreach (var (key, value) in settings ?? [])
        {
            text.Append(key).Append(" = ").Append(value.Trim()).Append('\n');
        }

        var temporary = full + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        try
        {
            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
            {
                writer.Write(text.ToString());
            }
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Reads one setting of a profile, such as one <see cref="Write(string, string, Uri, string, string, IReadOnlyList{KeyValuePair{string, string}})"/> wrote.</summary>
    /// <param name="path">The file, such as <see cref="DefaultPath"/>.</param>
    /// <param name="profileName">The section name, such as <c>local</c>.</param>
    /// <param name="key">The setting's key (case does not matter).</param>
    /// <returns>The value; null when the file, the profile or the setting does not exist, or the value is empty.</returns>
    public static string? ReadSetting(string path, string profileName, string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(profileName);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        if (!File.Exists(path))
        {
            return null;
        }
        return Parse(File.ReadAllLines(path)).TryGetValue(profileName, out var values) && values.TryGetValue(key, out var value) && value.Length > 0 ? value : null;
    }

    internal static Dictionary<string, Dictionary<string, string>> Parse(IEnumerable<string> lines)
    {
        var profiles = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        Dictionary<string, string>? current = null;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }
            var section = SectionName(line);
            if (section is not null)
            {
                if (!profiles.TryGetValue(section, out current))
                {
                    current = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                    profiles[section] = current;
                }
                continue;
            }
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (current is null || eq <= 0)
            {
                continue;
            }
            current[line[..eq].Trim()] = line[(eq + 1)..].Trim();
        }
        return profiles;
    }

    private static string? SectionName(string line)
    {
        var trimmed = line.Trim();
        return trimmed.Length >= 2 && trimmed[0] == '[' && trimmed[^1] == ']' ? trimmed[1..^1].Trim() : null;
    }
}
