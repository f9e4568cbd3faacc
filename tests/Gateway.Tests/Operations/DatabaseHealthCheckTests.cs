using Entitlements.Gateway.Diagnostics;
using Npgsql;

namespace Entitlements.Tests.Operations;

/// <summary>
/// The database check's own PostgreSQL pool: small (one check runs at a time), unless the store's connection
/// string sets a maximum, which it keeps; never below the string's minimum (Npgsql refuses a minimum above the maximum).
/// </summary>
public sealed class DatabaseHealthCheckTests
{
    [Theory]
    [InlineData("Host=db;Database=entitlements", 2)]
    [InlineData("Host=db;Database=entitlements;Maximum Pool Size=10", 10)]
    [InlineData("Host=db;Database=entitlements;maximum pool size=100", 100)]
    [InlineData("Host=db;Database=entitlements;MaxPoolSize=7", 7)]
    [InlineData("Host=db;Database=entitlements;Minimum Pool Size=5", 5)]
    public void HealthConnectionString_PoolSize_IsSmallUnlessTheStoreSetsOne(string store, int expected)
    {
        var health = new NpgsqlConnectionStringBuilder(DatabaseHealthCheck.HealthConnectionString(store));

        Assert.Equal(expected, health.MaxPoolSize);
        Assert.Equal(3, health.Timeout);
        Assert.Equal(3, health.CommandTimeout);
        Assert.Equal("entitlements-health", health.ApplicationName);
        Assert.Equal("db", health.Host);
    }
}
