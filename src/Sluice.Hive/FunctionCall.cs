namespace Sluice.Hive;

/// <summary>A parsed function call: its lower-case name, its arguments as DuckDB SQL, and the Hive types of arguments that are plain columns.</summary>
internal sealed record FunctionCall(string Name, IReadOnlyList<string> Args, bool Distinct, bool Star, Token At, IReadOnlyList<string?> ArgTypes);
