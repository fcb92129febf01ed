using System.Globalization;

namespace Sluice.Streaming.Internal;

/// <summary>Typed reads of the <c>-D</c> configuration, accepting Hadoop's current and deprecated key names.</summary>
internal sealed class JobConfiguration(IReadOnlyDictionary<string, string> values)
{
    public string? Get(params string[] names)
    {
        foreach (var name in names)
        {
            if (values.TryGetValue(name, out var value))
            {
                return value;
            }
        }
        return null;
    }

    public long GetLong(long fallback, params string[] names)
    {
        var text = Get(names);
        if (text is null)
        {
            return fallback;
        }
        return long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new StreamingUsageException($"-D {names[0]}={text}: expected an integer.");
    }

    public int GetInt(int fallback, params string[] names) => checked((int)GetLong(fallback, names));

    public bool GetBool(bool fallback, params string[] names)
    {
        var text = Get(names);
        if (text is null)
        {
            return fallback;
        }
        return bool.TryParse(text.Trim(), out var value)
            ? value
            : throw new StreamingUsageException($"-D {names[0]}={text}: expected true or false.");
    }
}
