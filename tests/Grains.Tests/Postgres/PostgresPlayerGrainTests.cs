namespace Entitlements.Tests.Postgres;

/// <summary>Every player grain test (appends, version conflicts, idempotent replays, listing, snapshots) on PostgreSQL.</summary>
[Collection(PostgresDefinition.Name)]
public sealed class PostgresPlayerGrainTests(PostgresClusterFixture fixture) : PlayerGrainTests(fixture), IClassFixture<PostgresClusterFixture>;
