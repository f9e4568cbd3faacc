using Entitlements.Tests.Notifications;

namespace Entitlements.Tests.Postgres;

/// <summary>The notification feed, streams and the relay's stored position on PostgreSQL.</summary>
[Collection(PostgresDefinition.Name)]
public sealed class PostgresNotificationStreamTests(PostgresClusterFixture fixture) : NotificationStreamTests(fixture), IClassFixture<PostgresClusterFixture>;
