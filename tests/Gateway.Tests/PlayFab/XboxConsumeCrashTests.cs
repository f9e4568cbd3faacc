using System.Globalization;
using System.Net;
using Entitlements.Tests.Infrastructure;
using Entitlements.Xbox;

namespace Entitlements.Tests.PlayFab;

/// <summary>
/// A real gateway process that dies right after Xbox's consume answered and before the grant was written
/// (the off-by-default test fault <c>Xbox:TestFaultAfterConsume=KillProcess</c>); the next call, on a new
/// process over the same data, finishes the job: Xbox deducted once, one grant.
/// </summary>
public sealed class XboxConsumeCrashTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly List<GatewayProcess> _processes = [];
    private SimulatorHost _simulator = null!;

    public async Task InitializeAsync() => _simulator = await SimulatorHost.StartAsync();

    [Fact]
    public async Task ConsumeXboxEntitlements_ProcessKilledAfterXboxConsume_NextCallGrantsOnceWithoutConsumingTwice()
    {
        var crashing = await StartAsync(killAfterConsume: true);
        var gems = await crashing.Client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Crash Gems", unitsPerQuantity: 10);
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("c", gems.ProductId, "Consumable", 4));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await crashing.Client.LoginOkAsync(token);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => crashing.Client.ConsumeXboxAsync(ticket, token));
        await crashing.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, await _simulator.QuantityAsync(xuid, "c"));
        var trackingId = Assert.Single((await _simulator.UserAsync(xuid))["consumes"]!.AsObject()).Key;

        var restarted = await StartAsync(killAfterConsume: false);
        var items = await restarted.Client.ConsumeXboxOkAsync(ticket, token);

        var item = Assert.Single(items)!;
        Assert.Equal(gems.ItemId, item["ItemId"]!.GetValue<string>());
        Assert.Equal(40, item["UsesIncrementedBy"]!.GetValue<long>());
        Assert.Equal(40, item["RemainingUses"]!.GetValue<long>());
        var user = await _simulator.UserAsync(xuid);
        var consume = Assert.Single(user["consumes"]!.AsObject());
        Assert.Equal(trackingId, consume.Key);
        Assert.Equal(4, consume.Value!["removedQuantity"]!.GetValue<long>());
        Assert.Equal(2, consume.Value["requests"]!.GetValue<int>());
        Assert.Equal(0, await _simulator.QuantityAsync(xuid, "c"));
        var link = await restarted.Client.GetApiAsync($"/users/v1/platform-user?platform=XboxLive&platform_user_id={xuid}");
        Assert.Equal(HttpStatusCode.OK, link.Status);
        var player = Guid.Parse(link.Json["player_uuid"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        var grant = Assert.Single(await restarted.Client.AllEventsAsync($"&player_uuid={player}"));
        Assert.Equal(trackingId, grant["platform_transaction_id"]!.GetValue<string>());
        Assert.Equal("XboxLive", grant["platform"]!.GetValue<string>());
        Assert.Equal(4, grant["quantity"]!.GetValue<long>());

        Assert.Empty(await restarted.Client.ConsumeXboxOkAsync(ticket, token));
        Assert.Single(await restarted.Client.AllEventsAsync($"&player_uuid={player}"));
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            process.Kill();
        }

        await _simulator.DisposeAsync();
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }

        _data.Dispose();
    }

    private async Task<GatewayProcess> StartAsync(bool killAfterConsume)
    {
        var settings = XboxGatewayFixture.Settings(_simulator).ToDictionary(setting => setting.Key, setting => setting.Value!);
        if (killAfterConsume)
        {
            settings["Xbox:TestFaultAfterConsume"] = "KillProcess";
            settings["ASPNETCORE_ENVIRONMENT"] = XboxOptionsValidator.TestingEnvironment;
        }

        var process = await GatewayProcess.StartAsync(_data.Path, settings: settings);
        _processes.Add(process);
        return process;
    }
}
