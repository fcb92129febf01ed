using System.Globalization;

namespace Sluice.Storage.Sqlite;

/// <summary>The names SQLite gives positional parameters <c>$1</c>, <c>$2</c>… (it reads <c>$n</c> as a named parameter).</summary>
internal static class PositionalNames
{
    private static readonly string[] Names = [.. Enumerable.Range(1, 32).Select(i => string.Create(CultureInfo.InvariantCulture, $"${i}"))];

    public static ReadOnlySpan<string> First(int count) => Names.AsSpan(0, count);
}
