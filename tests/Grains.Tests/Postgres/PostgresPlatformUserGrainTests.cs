namespace Entitlements.Tests.Postgres;

/// <summary>Platform-user links and sequential player ids on PostgreSQL.</summary>
[Collection(PostgresDefinition.Name)]
public sealed class PostgresPlatformUserGrainTests(PostgresClusterFixture fixture) : PlatformUserGrainTests(fixture), IClassFixture<PostgresClusterFixture>;
