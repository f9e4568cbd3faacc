using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.Notifications;
using Npgsql;

namespace Entitlements.Tests.Cluster;

/// <summary>
/// The sample game service (<c>Samples/GameService</c>) as a client of a cluster-mode deployment: started with
/// the keys the silos and gateways read, it finds the silos' client ports in the cluster's membership table.
/// </summary>
[Collection(ScriptedClusterGroup.Name)]
public sealed class GameServiceClusterTests(ScriptedCluster cluster)
{
    [Fact]
    public async Task GameServiceInClusterMode_GrantThroughAGateway_PrintsThatNotification()
    {
        using var service = await GameServiceProcess.StartAsync(Settings(cluster.ConnectionString));
        var player = await cluster.Gateway(1).CreatePlayerAsync();
        var token = cluster.Issuer.Mint([], player.Uuid, TimeSpan.FromHours(1));
        await using var socket = await PushSocket.ConnectAsync(cluster.GatewayAddress(2), PushRoutes.PlayerWebSocket(player.Uuid), token);

        var grant = await cluster.Gateway(1).PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));

        var lines = await service.WaitForNotificationAsync(player.Uuid, ExpectedEvent.Id(grant));
        // The cursor is the cluster's own for that notification: the one gateway B pushes for it.
        var frame = JsonNode.Parse(await socket.NextNotificationOrResumeAsync(cluster.GatewayAddress(2), PushRoutes.PlayerWebSocket(player.Uuid), token))!;
        var created = WireTime.ToAccelByte(ExpectedEvent.Created(grant));
        var message = PushRoutes.EntitlementUpdated("grant", new ExpectedEntitlement
        {
            FirstEventId = ExpectedEvent.Id(grant),
            Player = player,
            ItemId = "gems",
            Name = "Gems",
            Sku = "gems_100",
            Consumable = true,
            Status = "ACTIVE",
            UseCount = 100,
            GrantedAt = created,
            CreatedAt = created,
            UpdatedAt = created,
        }.ToJson());
        JsonAssert.Equal(
            new JsonObject
            {
                ["cursor"] = frame["cursor"]!.GetValue<string>(),
                ["event_id"] = ExpectedEvent.Id(grant),
                ["player_uuid"] = player.Uuid.ToString(),
                ["version"] = await cluster.Gateway(1).VersionAsync(player.Uuid),
                ["name"] = "entitlementUpdated",
                ["message"] = JsonNode.Parse(message),
            },
            Assert.Single(lines));

        // Stopped, it takes its subscription off the cluster's stream and exits cleanly.
        service.Terminate();
        await service.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(service.ExitCode == 0, $"exit code {service.ExitCode}:\n{string.Join('\n', service.Errors)}");
    }

    /// <summary>
    /// A client does not create the cluster's Orleans tables, and Orleans does not wait for them: on a database no
    /// silo has started on, the service stops at once and says why.
    /// </summary>
    [Fact]
    public async Task GameServiceInClusterMode_OnADatabaseWithNoOrleansTables_StopsWithExitCode1AndSaysWhy()
    {
        var database = "no_orleans_" + Guid.NewGuid().ToString("N")[..8];
        await cluster.QueryAsync<object?>($"CREATE DATABASE {database}");
        try
        {
            using var service = GameServiceProcess.Start(Settings(new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Database = database }.ConnectionString));
            await service.WaitForExitAsync(TimeSpan.FromSeconds(60));

            var errors = service.Errors;
            var log = string.Join('\n', errors);
            Assert.True(service.ExitCode == 1, $"exit code {service.ExitCode}:\n{log}");
            var said = errors.ToList().IndexOf(
                "The game service stopped: the cluster's database has no Orleans tables yet. The silos create them when they start; start the cluster first, or check Storage:ConnectionString.");
            Assert.True(said >= 0 && said + 1 < errors.Count, log);
            Assert.StartsWith("Npgsql.PostgresException (0x80004005): 42P01: relation \"orleansquery\" does not exist", errors[said + 1], StringComparison.Ordinal);
        }
        finally
        {
            await cluster.QueryAsync<object?>($"DROP DATABASE {database} WITH (FORCE)");
        }
    }

    /// <summary>What a studio's service of this cluster is given: the mode, the cluster's id and its database.</summary>
    private Dictionary<string, string> Settings(string connectionString) => new()
    {
        ["Orleans:Mode"] = "Cluster",
        ["Orleans:ClusterId"] = cluster.ClusterId,
        ["Storage:ConnectionString"] = connectionString,
    };
}
