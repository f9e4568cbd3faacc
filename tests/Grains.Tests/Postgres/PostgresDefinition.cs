namespace Entitlements.Tests.Postgres;

/// <summary>Every PostgreSQL test class shares the one <see cref="PostgresServer"/> of the run.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresDefinition : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
