namespace Sluice.Console.Tests;

/// <summary>One server and one browser for every console test; the tests run one after another (two cores are shared).</summary>
[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleFixture>
{
    public const string Name = "console";
}
