using System.Globalization;

namespace Sluice.Streaming.Internal;

/// <summary>One <c>-kPOS1[,POS2][nr]</c> of KeyFieldBasedPartitioner / KeyFieldBasedComparator (Hadoop's KeyFieldHelper).</summary>
internal sealed class KeyFieldSpec
{
    public int BeginField { get; set; } = 1;
    public int BeginChar { get; set; } = 1;
    public int EndField { get; set; }
    public int EndChar { get; set; }
    public bool Numeric { get; set; }
    public bool Reverse { get; set; }

    /// <summary>Parses options such as <c>-k1,1 -k2,2nr</c> or <c>-nr</c>; global n/r apply to keys without their own.</summary>
    public static List<KeyFieldSpec> Parse(string? options)
    {
        var specs = new List<KeyFieldSpec>();
        var global = new KeyFieldSpec();
        if (string.IsNullOrWhiteSpace(options))
        {
            return specs;
        }
        foreach (var token in options.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (token.StartsWith("-k", StringComparison.Ordinal))
            {
                specs.Add(ParseKey(token[2..], options));
            }
            else if (token.StartsWith('-') && token.Length > 1 && token[1..].All(c => c is 'n' or 'r'))
            {
                global.Numeric |= token.Contains('n', StringComparison.Ordinal);
                global.Reverse |= token.Contains('r', StringComparison.Ordinal);
            }
            else
            {
                throw new StreamingUsageException(
                    $"Unsupported key field option '{token}' in '{options}': use -kPOS1[,POS2] with optional n and r, or -n / -r.");
            }
        }
        foreach (var spec in specs.Where(s => !s.Numeric && !s.Reverse))
        {
            spec.Numeric = global.Numeric;
            spec.Reverse = global.Reverse;
        }
        if (specs.Count == 0 && (global.Numeric || global.Reverse))
        {
            specs.Add(global);
        }
        return specs;
    }

    private static KeyFieldSpec ParseKey(string arg, string options)
    {
        var spec = new KeyFieldSpec();
        var parts = arg.Split(',');
        if (parts.Length is 0 or > 2 || parts[0].Length == 0)
        {
            throw Bad(options);
        }
        (spec.BeginField, spec.BeginChar) = ParsePosition(parts[0], spec, options, isEnd: false);
        if (parts.Length == 2)
        {
            (spec.EndField, spec.EndChar) = ParsePosition(parts[1], spec, options, isEnd: true);
        }
        if (spec.BeginField < 1 || spec.BeginChar < 1)
        {
            throw Bad(options);
        }
        return spec;
    }

    private static (int Field, int Char) ParsePosition(string text, KeyFieldSpec spec, string options, bool isEnd)
    {
        var i = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }
        if (i == 0)
        {
            throw Bad(options);
        }
        var field = int.Parse(text.AsSpan(0, i), CultureInfo.InvariantCulture);
        var ch = isEnd ? 0 : 1;
        if (i < text.Length && text[i] == '.')
        {
            var j = ++i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
            if (i == j)
            {
                throw Bad(options);
            }
            ch = int.Parse(text.AsSpan(j, i - j), CultureInfo.InvariantCulture);
        }
        for (; i < text.Length; i++)
        {
            switch (text[i])
            {
                case 'n': spec.Numeric = true; break;
                case 'r': spec.Reverse = true; break;
                default: throw Bad(options);
            }
        }
        return (field, ch);
    }

    private static StreamingUsageException Bad(string options) =>
        new($"Cannot parse key field options '{options}': expected e.g. -k1,1 or -k2,2nr (fields count from 1).");
}
