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
        // Only tasks with successors get a list: a job of 100,000 independent tasks allocates none.
        var successors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var predecessors = new Dictionary<string, int>(taskNames.Count, StringComparer.Ordinal);
        foreach (var name in taskNames)
        {
            predecessors[name] = 0;
        }

        foreach (var (before, afters) in dependencies ?? new Dictionary<string, List<string>>())
        {
            if (!known.Contains(before))
            {
                throw new ServiceException(ErrorCodes.UnknownTask, $"dag.dependencies names task '{before}', which is not in dag.tasks");
            }
            foreach (var after in afters ?? [])
            {
                if (!known.Contains(after))
                {
                    throw new ServiceException(ErrorCodes.UnknownTask, $"dag.dependencies of '{before}' names task '{after}', which is not in dag.tasks");
                }
                if (!successors.TryGetValue(before, out var list))
                {
                    successors[before] = list = [];
                }
                if (list.Contains(after, StringComparer.Ordinal))
                {
                    continue;
                }
                list.Add(after);
                predecessors[after]++;
            }
        }

        var cycle = FindCycle(successors);
        if (cycle is not null)
        {
            throw new ServiceException(ErrorCodes.DagCycle, $"dag.dependencies has a cycle: {string.Join(" -> ", cycle)}; remove one of these dependencies");
        }

        var all = new Dictionary<string, IReadOnlyList<string>>(taskNames.Count, StringComparer.Ordinal);
        foreach (var name in taskNames)
        {
            all[name] = successors.TryGetValue(name, out var list) ? list : [];
        }
        return new Dag(all, predecessors);
    }

    // Iterative three-colour DFS over the tasks that have successors (only they can be on a cycle; a
    // 100,000-task chain must not overflow the stack); returns the tasks of the first cycle found,
    // first task repeated at the end, or null.
    private static List<string>? FindCycle(Dictionary<string, List<string>> successors)
    {
        var colour = new Dictionary<string, byte>(successors.Count, StringComparer.Ordinal);
        var parent = new Dictionary<string, string>(StringComparer.Ordinal);
        var stack = new Stack<(string Node, int Next)>();
        foreach (var root in successors.Keys)
        {
            if (colour.GetValueOrDefault(root) != 0)
            {
                continue;
            }
            stack.Push((root, 0));
            colour[root] = 1;
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                var edges = successors.TryGetValue(node, out var list) ? list : [];
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
                            stack.Clear();
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
