using System.Globalization;
using System.Reflection;

namespace Sluice.Storage.Relational;

/// <summary>One versioned schema script.</summary>
internal sealed record Migration(int Version, string Name, string Sql);

/// <summary>Reads a store's <c>Migrations/NNNN_name.sql</c> embedded resources, in version order.</summary>
internal static class EmbeddedMigrations
{
    private const string ResourceMarker = ".Migrations.";

    public static IReadOnlyList<Migration> Load(Assembly assembly)
    {
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var at = resource.IndexOf(ResourceMarker, StringComparison.Ordinal);
            if (at < 0 || !resource.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }

            // Resource names are "<root namespace>.Migrations.0001_initial.sql".
            var name = resource[(at + ResourceMarker.Length)..^".sql".Length];
            var underscore = name.IndexOf('_', StringComparison.Ordinal);
            var version = int.Parse(underscore < 0 ? name : name[..underscore], NumberStyles.None, CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new Migration(version, name, reader.ReadToEnd()));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        // Numbers are handed out to branches in advance, so a branch may carry 5 before 4 is merged: a
        // gap is allowed (the migrator applies every version a database has not recorded), a repeat is not.
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version < 1 || (i > 0 && migrations[i].Version == migrations[i - 1].Version))
            {
                throw new InvalidOperationException($"Migration versions must be positive and distinct; found {migrations[i].Name}.");
            }
        }

        return migrations;
    }
}
