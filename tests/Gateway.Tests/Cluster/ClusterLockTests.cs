using Entitlements.Tests.Infrastructure;
using Xunit.Sdk;

namespace Entitlements.Tests.Cluster;

/// <summary>
/// A cluster's silos hold the ledger's silo lock together, so that an embedded-mode gateway started on the
/// cluster's database (its <c>Orleans:Mode=Cluster</c> left out), which would be a second cluster on one
/// ledger, stops its start.
/// </summary>
[Collection(ScriptedClusterGroup.Name)]
public sealed class ClusterLockTests(ScriptedCluster cluster)
{
    private const long LockKey = 5003064232328822788; // Entitlements.Hosting.EmbeddedSiloLock.Key

    [Fact]
    public async Task EmbeddedGateway_OnTheClustersDatabase_ExitsWithCode1AndTheClusterServesOn()
    {
        // Every silo holds it, shared (a silo another test restarted may still be taking it again).
        await Poll.UntilAsync(
            async () => await cluster.QueryAsync<long>(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND granted AND mode = 'ShareLock' AND ((classid::bigint << 32) | objid::bigint) = @key;",
                ("key", LockKey)) == ScriptedCluster.Silos,
            TimeSpan.FromSeconds(30),
            $"the lock is not held shared by {ScriptedCluster.Silos} sessions");

        using var data = new TempDirectory();
        var failure = await Assert.ThrowsAsync<FailException>(() => GatewayProcess.StartAsync(data.Path, settings: new Dictionary<string, string>
        {
            ["Storage:Provider"] = "PostgreSql",
            ["Storage:ConnectionString"] = cluster.ConnectionString,
        }));

        Assert.StartsWith("the gateway exited with code 1:", failure.Message, StringComparison.Ordinal);
        Assert.Contains(
            "Another process holds this database's embedded-mode lock (PostgreSQL advisory lock 5003064232328822788), or a cluster silo wrote its heartbeat to orleans_membership within 2 minutes: an embedded-mode silo or a cluster's silos already run on it.",
            failure.Message,
            StringComparison.Ordinal);
        var player = await cluster.Gateway(1).CreatePlayerAsync();
        await cluster.Gateway(1).PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
    }
}
