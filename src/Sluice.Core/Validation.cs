using System.Text.RegularExpressions;
using Sluice.Contracts;

namespace Sluice.Core;

/// <summary>Small checks shared by the request validators; each throws a <see cref="ServiceException"/> naming the field.</summary>
internal static partial class Validation
{
    /// <summary>A required one-line name: not blank, at most <see cref="Limits.NameLength"/> characters, no control characters.</summary>
    public static string RequireName(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ServiceException(ErrorCodes.MissingParameter, $"{field} is required");
        }
        return OneLine(MaxLength(value, field, Limits.NameLength), field);
    }

    /// <summary>An optional one-line name or token: null, or at most <paramref name="maxLength"/> characters without control characters.</summary>
    public static string? OptionalName(string? value, string field, int maxLength) =>
        value is null ? null : OneLine(MaxLength(value, field, maxLength), field);

    public static string? Optional(string? value, string field, int maxLength) =>
        value is null ? null : MaxLength(value, field, maxLength);

    /// <summary>
    /// Rejects control characters (a trailing "\n" above all): names end up in table rows, log lines, paths and
    /// headers, where a line break splits or forges them.
    /// </summary>
    public static string OneLine(string value, string field)
    {
        var at = value.AsSpan().IndexOfAnyInRange('\0', '\u001f');
        if (at < 0)
        {
            at = value.AsSpan().IndexOfAnyInRange('\u007f', '\u009f');
        }
        return at < 0
            ? value
            : throw new ServiceException(ErrorCodes.InvalidParameter, $"{field} has a control character (U+{(int)value[at]:X4}) at position {at}; names are one line of printable text");
    }

    public static string MaxLength(string value, string field, int maxLength) =>
        value.Length <= maxLength
            ? value
            : throw new ServiceException(ErrorCodes.InvalidParameter, $"{field} is {value.Length} characters long; the limit is {maxLength}");

    public static int Range(int value, string field, int min, int max) =>
        value >= min && value <= max
            ? value
            : throw new ServiceException(ErrorCodes.InvalidParameter, $"{field} is {value}; it must be between {min} and {max}");

    public static long Range(long value, string field, long min, long max) =>
        value >= min && value <= max
            ? value
            : throw new ServiceException(ErrorCodes.InvalidParameter, $"{field} is {value}; it must be between {min} and {max}");

    /// <summary>Parses an enum by name, case-insensitively, rejecting numbers and unknown names.</summary>
    public static TEnum ParseEnum<TEnum>(string? value, string field, TEnum? fallback = null) where TEnum : struct, Enum
    {
        if (string.IsNullOrEmpty(value))
        {
            return fallback ?? throw new ServiceException(ErrorCodes.MissingParameter, $"{field} is required; one of {string.Join(", ", Enum.GetNames<TEnum>())}");
        }
        if (!char.IsDigit(value[0]) && value[0] != '-' && Enum.TryParse<TEnum>(value, ignoreCase: true, out var parsed))
        {
            return parsed;
        }
        throw new ServiceException(ErrorCodes.InvalidParameter, $"{field} '{value}' is not one of {string.Join(", ", Enum.GetNames<TEnum>())}");
    }

    /// <summary>
    /// An optional object URI field: parsed, normalized and checked against the configured stores (scheme and
    /// bucket mapped). <paramref name="folder"/> true requires it to name a prefix (end with '/'), false an object, null either. Errors keep
    /// their code and name the field.
    /// </summary>
    public static string? ObjectUriField(ObjectStorage.ObjectStoreResolver resolver, string? value, string field, bool? folder)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        MaxLength(value, field, 2048);
        ObjectStorage.ObjectUri uri;
        try
        {
            uri = resolver.Resolve(value).Uri;
        }
        catch (ServiceException e)
        {
            throw new ServiceException(e.Code, $"{field}: {e.Message}");
        }
        if (folder == true && !uri.IsPrefix)
        {
            throw new ServiceException(ErrorCodes.InvalidParameter, $"{field} '{value}' must name a folder: end it with '/'");
        }
        if (folder == false && uri.IsPrefix)
        {
            throw new ServiceException(ErrorCodes.InvalidParameter, $"{field} '{value}' must name an object, not a folder");
        }
        return uri.ToString();
    }

    /// <summary>Task names become path segments and environment values, so they are kept to a safe alphabet.</summary>
    public static string TaskName(string name) =>
        TaskNamePattern().IsMatch(name)
            ? name
            : throw new ServiceException(ErrorCodes.InvalidParameter, $"task name '{ObjectStorage.ObjectUri.Printable(name)}' is not valid: use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");

    public static void EnvironmentName(string name, string field)
    {
        if (!EnvNamePattern().IsMatch(name))
        {
            throw new ServiceException(ErrorCodes.InvalidParameter, $"{field} has variable name '{ObjectStorage.ObjectUri.Printable(name)}'; names are letters, digits and '_' and do not start with a digit");
        }
    }

    // \z, not $: $ also matches before a final "\n", which would let "name\n" through.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\z")]
    private static partial Regex TaskNamePattern();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*\z")]
    private static partial Regex EnvNamePattern();
}
