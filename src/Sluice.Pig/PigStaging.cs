using Sluice.Pig.Syntax;

namespace Sluice.Pig;

/// <summary>
/// The object URIs a Pig script reads (LOAD) and writes (STORE … INTO), after its parameters are substituted: what the
/// server stages for a Pig step before it runs, so that the step's process holds no object store credentials.
/// </summary>
public static class PigStaging
{
    /// <summary>The object URIs of the script's LOADs (each of a comma list) and STOREs.</summary>
    /// <exception cref="PigException">The script does not parse.</exception>
    public static (IReadOnlyList<string> Reads, IReadOnlyList<string> Writes) ObjectLocations(string script, IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(parameters);
        var tokens = Lexer.Tokenize(Preprocessor.Substitute(script, parameters));
        var reads = new List<string>();
        var writes = new List<string>();
        for (var i = 0; i + 1 < tokens.Count; i++)
        {
            if (tokens[i + 1].Kind != TokenKind.String || tokens[i].Kind != TokenKind.Identifier)
            {
                continue;
            }
            var target = tokens[i].Text.Equals("LOAD", StringComparison.OrdinalIgnoreCase) ? reads
                : tokens[i].Text.Equals("INTO", StringComparison.OrdinalIgnoreCase) ? writes
                : null;
            foreach (var path in (tokens[i + 1].Value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (path.Contains("://", StringComparison.Ordinal) && !path.StartsWith("file:///", StringComparison.OrdinalIgnoreCase) && target is not null && !target.Contains(path))
                {
                    target.Add(path);
                }
            }
        }
        return (reads, writes);
    }
}
