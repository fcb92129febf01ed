using System.Runtime.CompilerServices;

namespace Sluice.Core.Scheduling;

/// <summary>The legal moves between the values of one state enum (an int-backed enum of values 0..n-1).</summary>
public sealed class MoveTable<TState> where TState : struct, Enum
{
    private static readonly int Size = Enum.GetValues<TState>().Length;
    // A matrix, not a set: every launch and exit checks a move, and this is one array read.
    private readonly bool[] _legal = new bool[Size * Size];
    private readonly List<(TState From, TState To)> _moves = [];

    public MoveTable(params (TState From, TState[] To)[] moves)
    {
        ArgumentNullException.ThrowIfNull(moves);
        foreach (var (from, targets) in moves)
        {
            foreach (var to in targets)
            {
                _legal[(Index(from) * Size) + Index(to)] = true;
                _moves.Add((from, to));
            }
        }
    }

    /// <summary>Whether a resource in <paramref name="from"/> may move to <paramref name="to"/>; staying put is always allowed.</summary>
    public bool Allows(TState from, TState to) => Index(from) == Index(to) || _legal[(Index(from) * Size) + Index(to)];

    /// <summary>Every legal move, for documentation and tests.</summary>
    public IReadOnlyList<(TState From, TState To)> Moves => _moves;

    private static int Index(TState state) => Unsafe.As<TState, int>(ref state);
}
