namespace Entitlements.Tests.Cluster;

/// <summary>Every test class in this collection shares the one <see cref="ClusterFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterDefinition : ICollectionFixture<ClusterFixture>
{
    public const string Name = "Cluster";
}
