using Sluice.Contracts;

namespace Sluice.Core.Jobs;

/// <summary>
/// A validated task DAG. Dependencies use the BatchCompute convention: <c>{"split": ["work"]}</c>
/// means <c>work</c> runs after <c>split</c>.
/// </summary>
public sealed class Dag
{
    private Dag(IReadOnlyDictionary<string, IReadOnlyList<string>> successors, IReadOnlyDictionary<string, int> predecessorCounts)
    {
        Successors = successors;
        PredecessorCounts = predecessorCounts;
    }

    /// <summary>For each task, the tasks that run after it (empty list when none).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Successors { get; }

    /// <summary>For each task, how many tasks must finish before it may start.</summary>
    public IReadOnlyDictionary<string, int> PredecessorCounts { get; }

    /// <summary>
    /// Builds the DAG, rejecting dependencies on unknown tasks (<see cref="ErrorCodes.UnknownTask"/>)
    /// and cycles (<see cref="ErrorCodes.DagCycle"/>, naming the tasks on one cycle in order).
    /// </summary>
    public static Dag Build(IReadOnlyCollection<string> taskNames, IReadOnlyDictionary<string, List<string>>? dependencies)
    {
        var known = taskNames as IReadOnlySet<string> ?? taskNames.ToHashSet(StringComparer.Ordinal);
        var successors = new Dictionary<string, List<string>>(taskNames.Count, StringComparer.Ordinal);
        var predecessors = new Dictionary<string, int>(taskNames.Count, StringComparer.Ordinal);
        foreach (var name in taskNames)
        {
            successors[name] = [];
            predecessors[name] = 0;
        }

        foreach (var (before, afters) in dependencies ?? new Dictionary<string, List<string>>())
        {
            if (!known.Contains(before))
            {
                throw new SluiceException(ErrorCodes.UnknownTask, $"dag.dependencies names task '{before}', which is not in dag.tasks");
            }
            foreach (var after in afters ?? [])
            {
                if (!known.Contains(after))
                {
                    throw new SluiceException(ErrorCodes.UnknownTask, $"dag.dependencies of '{before}' names task '{after}', which is not in dag.tasks");
                }
                if (successors[before].Contains(after, StringComparer.Ordinal))
                {
                    continue;
                }
                successors[before].Add(after);
                predecessors[after]++;
            }
        }

        var cycle = FindCycle(successors);
        if (cycle is not null)
        {
            throw new SluiceException(ErrorCodes.DagCycle, $"dag.dependencies has a cycle: {string.Join(" -> ", cycle)}; remove one of these dependencies");
        }

        return new Dag(
            // Most tasks of a large job have no successor: they share one empty list.
            successors.ToDictionary(kv => kv.Key, kv => kv.Value.Count == 0 ? (IReadOnlyList<string>)[] : kv.Value, StringComparer.Ordinal),
            predecessors);
    }

    // Iterative three-colour DFS (a 100,000-task chain must not overflow the stack); returns the
    // tasks of the first cycle found, first task repeated at the end, or null.
    private static List<string>? FindCycle(Dictionary<string, List<string>> successors)
    {
        var colour = new Dictionary<string, byte>(successors.Count, StringComparer.Ordinal);
        var parent = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var root in successors.Keys)
        {
            if (colour.GetValueOrDefault(root) != 0)
            {
                continue;
            }
            var stack = new Stack<(string Node, int Next)>();
            stack.Push((root, 0));
            colour[root] = 1;
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                var edges = successors[node];
                if (next < edges.Count)
                {
                    stack.Push((node, next + 1));
                    var child = edges[next];
                    switch (colour.GetValueOrDefault(child))
                    {
                        case 0:
                            colour[child] = 1;
                            parent[child] = node;
                            stack.Push((child, 0));
                            break;
                        case 1:
                            var cycle = new List<string> { child };
                            for (var at = node; at != child; at = parent[at])
                            {
                                cycle.Add(at);
                            }
                            cycle.Add(child);
                            cycle.Reverse();
                            return cycle;
                    }
                }
                else
                {
                    colour[node] = 2;
                }
            }
        }
        return null;
    }
}
