namespace Sluice.Core;

/// <summary>Creates resource ids. Ids sort in creation order, which is what listing pages by.</summary>
public interface IIdGenerator
{
    /// <summary>A new id with the given prefix, e.g. "c" gives "c-019a8f3c2b1d7f-3a9e".</summary>
    string NewId(string prefix);
}
