namespace Sluice.Pig.Planning;

/// <summary>Pig's data types (the ones this engine runs).</summary>
internal enum PigKind
{
    Bytearray,
    Chararray,
    Int,
    Long,
    Float,
    Double,
    Boolean,
    Tuple,
    Bag,
    Map,
}

/// <summary>A Pig type: a scalar kind, or a tuple/bag with its field schema.</summary>
internal sealed record PigType(PigKind Kind, PigSchema? Inner = null)
{
    public static readonly PigType Bytearray = new(PigKind.Bytearray);
    public static readonly PigType Chararray = new(PigKind.Chararray);
    public static readonly PigType Int = new(PigKind.Int);
    public static readonly PigType Long = new(PigKind.Long);
    public static readonly PigType Float = new(PigKind.Float);
    public static readonly PigType Double = new(PigKind.Double);
    public static readonly PigType Boolean = new(PigKind.Boolean);
    public static readonly PigType Map = new(PigKind.Map);

    public static PigType Tuple(PigSchema fields) => new(PigKind.Tuple, fields);

    public static PigType Bag(PigSchema tupleFields) => new(PigKind.Bag, tupleFields);

    public bool IsNumeric => Kind is PigKind.Int or PigKind.Long or PigKind.Float or PigKind.Double;

    public bool IsScalar => Kind is not (PigKind.Tuple or PigKind.Bag or PigKind.Map);

    /// <summary>The DuckDB type holding values of this type (tuples are STRUCTs c0, c1…; bags LISTs of them).</summary>
    public string Sql => Kind switch
    {
        PigKind.Bytearray or PigKind.Chararray => "VARCHAR",
        PigKind.Int => "INTEGER",
        PigKind.Long => "BIGINT",
        PigKind.Float => "FLOAT",
        PigKind.Double => "DOUBLE",
        PigKind.Boolean => "BOOLEAN",
        PigKind.Map => "MAP(VARCHAR, VARCHAR)",
        PigKind.Tuple => Inner!.StructSql,
        PigKind.Bag => Inner!.StructSql + "[]",
        _ => throw new InvalidOperationException(Kind.ToString()),
    };

    /// <summary>Pig's name, as DESCRIBE prints it.</summary>
    public string Describe() => Kind switch
    {
        PigKind.Tuple => "(" + Inner!.DescribeFields() + ")",
        PigKind.Bag => "{(" + Inner!.DescribeFields() + ")}",
        PigKind.Map => "map[]",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    /// <summary>The numeric type an arithmetic operation of the two yields (Pig's widening: int &lt; long &lt; float &lt; double; bytearray as double).</summary>
    public static PigType Widen(PigType a, PigType b)
    {
        static int Rank(PigType t) => t.Kind switch { PigKind.Int => 1, PigKind.Long => 2, PigKind.Float => 3, PigKind.Double => 4, PigKind.Bytearray => 4, _ => 0 };
        var (ra, rb) = (Rank(a), Rank(b));
        if (ra == 0 || rb == 0)
        {
            throw new PigException($"arithmetic needs numbers, not {a.Describe()} and {b.Describe()}");
        }
        return Math.Max(ra, rb) switch { 1 => Int, 2 => Long, 3 => Float, _ => Double };
    }
}
