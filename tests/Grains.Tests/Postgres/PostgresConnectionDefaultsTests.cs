using Entitlements.Storage;
using Npgsql;

namespace Entitlements.Tests.Postgres;

public sealed class PostgresConnectionDefaultsTests
{
    [Fact]
    public void Apply_NoTimeoutsGiven_SetsTheFailFastDefaults()
    {
        var applied = new NpgsqlConnectionStringBuilder(PostgresConnectionDefaults.Apply("Host=db;Username=u;Password=secret;Database=d"));

        Assert.Equal((3, 10), (applied.Timeout, applied.CommandTimeout));
        Assert.Equal(("db", "u", "secret", "d"), (applied.Host, applied.Username, applied.Password, applied.Database));
    }

    [Theory]
    [InlineData("Host=db;Timeout=20", 20, 10)]
    [InlineData("Host=db;timeout=20;Command Timeout=60", 20, 60)]
    [InlineData("Host=db;CommandTimeout=0", 3, 0)]
    public void Apply_TimeoutsGiven_KeepsThem(string connectionString, int timeout, int commandTimeout)
    {
        var applied = new NpgsqlConnectionStringBuilder(PostgresConnectionDefaults.Apply(connectionString));

        Assert.Equal((timeout, commandTimeout), (applied.Timeout, applied.CommandTimeout));
    }
}
