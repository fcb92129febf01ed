using Sluice.Contracts;

namespace Sluice.Client;

/// <summary>The mount list both request builders keep (the service checks the values).</summary>
internal sealed class MountEntries
{
    private readonly List<MountEntryConfig> _entries = [];

    public void Add(string source, string destination, bool writeSupport)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        _entries.Add(new MountEntryConfig { Source = source, Destination = destination, WriteSupport = writeSupport });
    }

    /// <summary>A new <see cref="MountsConfig"/> (copies, so a later Add does not change a built request), or null when empty.</summary>
    public MountsConfig? Build() => _entries.Count == 0 ? null : new MountsConfig
    {
        Entries = _entries.Select(e => new MountEntryConfig { Source = e.Source, Destination = e.Destination, WriteSupport = e.WriteSupport }).ToList(),
    };
}
