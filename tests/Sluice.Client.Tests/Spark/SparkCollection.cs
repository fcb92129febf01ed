namespace Sluice.Client.Tests.Spark;

/// <summary>The tests that share one <see cref="SparkServer"/>.</summary>
[CollectionDefinition(Name)]
public sealed class SparkCollection : ICollectionFixture<SparkServer>
{
    public const string Name = "spark";
}
