using Entitlements.Storage;
using Entitlements.Tests.Outage;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.PlayFab;

/// <summary>The simulator and a gateway on the real SQLite store, whose appends fail on demand (<see cref="FaultyLedgerStore"/>).</summary>
public sealed class XboxFaultyStoreFixture : XboxGatewayFixture
{
    public FaultyLedgerStore Faults => (FaultyLedgerStore)(object)Gateway.App.Services.GetRequiredService<ILedgerStore>();

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton(sp => FaultyLedgerStore.Wrap(sp.GetRequiredService<SqliteLedgerStore>()).Store);
}
