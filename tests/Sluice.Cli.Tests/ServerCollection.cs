namespace Sluice.Cli.Tests;

/// <summary>The tests that share one <see cref="ServerFixture"/> (they run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "server";
}
