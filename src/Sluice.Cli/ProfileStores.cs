using Sluice.Client;

namespace Sluice.Cli;

/// <summary>
/// Where the server of a profile keeps its data and its local object store, as <c>sluice up</c> records them in the
/// profile it writes: so <c>sluice fs</c> without <c>--data</c> reads and writes the objects the server's jobs see,
/// whatever <c>--data</c> the server was started with.
/// </summary>
/// <param name="DataDirectory">The server's data directory; null when the profile records none.</param>
/// <param name="ObjectStoreRoot">The folder of its local object store; null when the profile records none.</param>
internal sealed record ProfileStores(string? DataDirectory, string? ObjectStoreRoot)
{
    public const string DataDirectoryKey = "data_directory";
    public const string ObjectStoreRootKey = "object_store_root";

    /// <summary>The profile settings that record these stores.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Settings => [.. Setting(DataDirectoryKey, DataDirectory), .. Setting(ObjectStoreRootKey, ObjectStoreRoot)];

    /// <summary>The stores recorded in <paramref name="profile"/> of the credentials file (default ~/.sluice/credentials).</summary>
    public static ProfileStores Read(string profile, string? path = null)
    {
        path ??= SluiceProfileFile.DefaultPath;
        return new(SluiceProfileFile.ReadSetting(path, profile, DataDirectoryKey), SluiceProfileFile.ReadSetting(path, profile, ObjectStoreRootKey));
    }

    private static KeyValuePair<string, string>[] Setting(string key, string? value) => value is null ? [] : [new(key, value)];
}
