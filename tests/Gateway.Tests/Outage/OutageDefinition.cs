namespace Entitlements.Tests.Outage;

/// <summary>
/// The outage tests one after the other and beside no other test: each stops a PostgreSQL server and
/// times every answer against <see cref="PostgresOutageFixture.AnswerBound"/>, which other gateways,
/// clusters and servers running on the same small machine would only blur. In xunit 2 a collection that
/// disables parallelization runs on its own, after all the parallel collections have finished.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OutageDefinition
{
    public const string Name = "PostgreSQL outage";
}
