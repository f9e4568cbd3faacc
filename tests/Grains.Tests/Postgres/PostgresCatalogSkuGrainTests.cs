namespace Entitlements.Tests.Postgres;

/// <summary>Catalog entries (revisions, seeding) on PostgreSQL.</summary>
[Collection(PostgresDefinition.Name)]
public sealed class PostgresCatalogSkuGrainTests(PostgresClusterFixture fixture) : CatalogSkuGrainTests(fixture), IClassFixture<PostgresClusterFixture>;
