namespace Sluice.Cli;

/// <summary>
/// Range checks of numeric options and arguments. The parser checks only that a number is a number; a value the
/// command cannot use is a usage error (one line, exit 2) here, before the SDK or the server sees it.
/// </summary>
internal static class Numbers
{
    public static int AtLeast(int value, int min, string name) =>
        value >= min ? value : throw new UsageException($"{name} {value} must be {min} or more");

    public static long AtLeast(long value, long min, string name) =>
        value >= min ? value : throw new UsageException($"{name} {value} must be {min} or more");

    public static int? AtLeast(int? value, int min, string name) =>
        value is { } v ? AtLeast(v, min, name) : null;

    public static int? Between(int? value, int min, int max, string name) =>
        value is not { } v || (v >= min && v <= max) ? value : throw new UsageException($"{name} {v} must be from {min} to {max}");
}
