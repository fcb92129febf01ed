using System.Text;

namespace Sluice.Pig.Planning;

/// <summary>One field of a schema: Pig's name (null when Pig gives it none) and type.</summary>
internal sealed record PigField(string? Name, PigType Type);

/// <summary>
/// A relation's or a tuple's fields. Field i lives in the DuckDB column or STRUCT member <c>c{i}</c>, so Pig names
/// (which may repeat after a JOIN, as <c>A::x</c>) never have to be valid or unique SQL names.
/// </summary>
internal sealed class PigSchema(IReadOnlyList<PigField> fields)
{
    public IReadOnlyList<PigField> Fields { get; } = fields;

    public int Count => Fields.Count;

    public static string Column(int index) => "c" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public string StructSql => "STRUCT(" + string.Join(", ", Fields.Select((f, i) => Column(i) + " " + f.Type.Sql)) + ")";

    public string DescribeFields() => string.Join(",", Fields.Select(f => f.Name is null ? f.Type.Describe() : $"{f.Name}: {f.Type.Describe()}"));

    /// <summary>The index of a field by Pig name: exact, or a unique <c>alias::name</c> suffix match; -1 when absent.</summary>
    public int IndexOf(string name)
    {
        for (var i = 0; i < Fields.Count; i++)
        {
            if (Fields[i].Name == name)
            {
                return i;
            }
        }
        var matches = Fields.Select((f, i) => (f, i)).Where(p => p.f.Name is not null && p.f.Name.EndsWith("::" + name, StringComparison.Ordinal)).ToList();
        if (matches.Count > 1)
        {
            throw new PigException($"Found more than one match for '{name}': {string.Join(", ", matches.Select(m => m.f.Name))}; qualify it (alias::{name})");
        }
        return matches.Count == 1 ? matches[0].i : -1;
    }

    public PigSchema Prefixed(string alias) => new(Fields.Select(f => f with { Name = f.Name is null ? null : alias + "::" + f.Name }).ToList());

    public override string ToString()
    {
        var sb = new StringBuilder("{");
        sb.Append(DescribeFields());
        return sb.Append('}').ToString();
    }
}
