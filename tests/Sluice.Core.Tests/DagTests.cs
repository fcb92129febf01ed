using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.Jobs;

namespace Sluice.Core.Tests;

public class DagTests
{
    [Fact]
    public void Build_BatchComputeConvention_SuccessorRunsAfter()
    {
        var dag = Dag.Build(["split", "work", "merge"], new Dictionary<string, List<string>> { ["split"] = ["work"], ["work"] = ["merge"] });

        Assert.Equal(["work"], dag.Successors["split"]);
        Assert.Equal(0, dag.PredecessorCounts["split"]);
        Assert.Equal(1, dag.PredecessorCounts["work"]);
        Assert.Equal(1, dag.PredecessorCounts["merge"]);
    }

    [Fact]
    public void Build_DiamondWithDuplicateEdge_CountsEachPredecessorOnce()
    {
        var dag = Dag.Build(["a", "b", "c", "d"], new Dictionary<string, List<string>>
        {
            ["a"] = ["b", "c", "b"],
            ["b"] = ["d"],
            ["c"] = ["d"],
        });

        Assert.Equal(2, dag.Successors["a"].Count);
        Assert.Equal(2, dag.PredecessorCounts["d"]);
    }

    [Fact]
    public void Build_Cycle_NamesTheTasksOnIt()
    {
        var error = Assert.Throws<ServiceException>(() => Dag.Build(["a", "b", "c", "x"], new Dictionary<string, List<string>>
        {
            ["x"] = ["a"],
            ["a"] = ["b"],
            ["b"] = ["c"],
            ["c"] = ["a"],
        }));

        Assert.Equal(ErrorCodes.DagCycle, error.Code);
        Assert.Contains("a -> b -> c -> a", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_SelfLoop_IsACycle()
    {
        var error = Assert.Throws<ServiceException>(() => Dag.Build(["a"], new Dictionary<string, List<string>> { ["a"] = ["a"] }));

        Assert.Equal(ErrorCodes.DagCycle, error.Code);
        Assert.Contains("a -> a", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ghost", "a")]
    [InlineData("a", "ghost")]
    public void Build_UnknownTaskInDependencies_IsRejected(string before, string after)
    {
        var error = Assert.Throws<ServiceException>(() => Dag.Build(["a"], new Dictionary<string, List<string>> { [before] = [after] }));

        Assert.Equal(ErrorCodes.UnknownTask, error.Code);
        Assert.Contains("ghost", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_LongChain_DoesNotOverflowTheStack()
    {
        const int count = 100_000;
        var names = Enumerable.Range(0, count).Select(i => $"t{i}").ToList();
        var deps = new Dictionary<string, List<string>>();
        for (var i = 0; i < count - 1; i++)
        {
            deps[names[i]] = [names[i + 1]];
        }

        var dag = Dag.Build(names, deps);

        Assert.Equal(1, dag.PredecessorCounts[names[^1]]);
    }
}
