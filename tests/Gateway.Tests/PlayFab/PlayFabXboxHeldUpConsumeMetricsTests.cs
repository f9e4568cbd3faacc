using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Diagnostics;
using Entitlements.Ledger;
using Entitlements.Storage;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.PlayFab;

/// <summary>
/// The metrics of a pending Xbox consume that Xbox keeps failing: the calls it holds up, counted by reason, and the
/// age of the oldest such consume, read from the gateway's own meter factory (the silo is hosted in it). One test in
/// the class: the gauge is the silo's, and another player's unsettled consume would be in it.
/// </summary>
public sealed class PlayFabXboxHeldUpConsumeMetricsTests(XboxGatewayFixture fixture) : IClassFixture<XboxGatewayFixture>
{
    private static readonly string[] Reasons = ["unavailable", "token_rejected", "access_denied", "throttled", "budget"];

    private readonly HttpClient _client = fixture.Client;
    private readonly SimulatorHost _simulator = fixture.Simulator;

    [Fact]
    public async Task ConsumeXboxEntitlements_PendingConsumeXboxKeepsFailing_CountsEachHeldUpCallByReasonAndReportsItsAgeUntilSettled()
    {
        using var counters = new GatewayCounters(fixture.Gateway, GrainMetrics.MeterName, GrainMetrics.XboxConsumesHeldUpName);
        using var gauge = new UnsettledConsumeGauge(fixture.Gateway.App.Services.GetRequiredService<IMeterFactory>());
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Held Gems", unitsPerQuantity: 10);
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("c", gems.ProductId, "Consumable", 3));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);
        var player = await _client.XboxPlayerAsync(xuid);
        Assert.Equal(0, gauge.Read());

        // The first call starts the consume and Xbox fails it: now pending, unsettled, but this call was not held up by it.
        var first = await _simulator.UnderFaultsAsync(new JsonObject { ["refuseConsumesWith"] = 503 }, () => _client.ConsumeXboxAsync(ticket, token));
        PlayFabHttp.AssertError(first, HttpStatusCode.BadRequest, "XboxInaccessible", 1339);
        var started = Assert.Single(await fixture.Gateway.App.Services.GetRequiredService<ILedgerStore>().ReadPlayerEventsAsync(player, 0, 10));
        Assert.Equal(LedgerEventKind.XboxConsumeStarted, started.Kind);
        AssertAge(gauge, started.Created);
        Assert.Equal(Counts(), ReadCounts(counters));

        // Each later call re-sends it first, Xbox fails it again, and the call ends there: held up, counted by the failure's class.
        foreach (var status in (int[])[503, 401, 403, 503])
        {
            var answer = await _simulator.UnderFaultsAsync(new JsonObject { ["refuseConsumesWith"] = status }, () => _client.ConsumeXboxAsync(ticket, token));
            Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
            AssertAge(gauge, started.Created);
        }

        Assert.Equal(Counts(("unavailable", 2), ("token_rejected", 1), ("access_denied", 1)), ReadCounts(counters));
        Assert.Equal(4, counters.Sum(GrainMetrics.XboxConsumesHeldUpName));

        // Xbox takes it: granted, settled; the gauge is back to 0 and nothing more is counted.
        var granted = Assert.Single(await _client.ConsumeXboxOkAsync(ticket, token))!;
        Assert.Equal((gems.ItemId, 30L), (granted["ItemId"]!.GetValue<string>(), granted["UsesIncrementedBy"]!.GetValue<long>()));
        Assert.Equal(0, gauge.Read());
        Assert.Equal(4, counters.Sum(GrainMetrics.XboxConsumesHeldUpName));
    }

    private static void AssertAge(UnsettledConsumeGauge gauge, DateTimeOffset started)
    {
        var before = (DateTimeOffset.UtcNow - started).TotalSeconds;
        var age = gauge.Read();
        var after = (DateTimeOffset.UtcNow - started).TotalSeconds;
        Assert.InRange(age, before, after);
    }

    private static Dictionary<string, long> Counts(params (string Reason, long Count)[] counts)
    {
        var all = Reasons.ToDictionary(r => r, _ => 0L);
        foreach (var (reason, count) in counts)
        {
            all[reason] = count;
        }

        return all;
    }

    private static Dictionary<string, long> ReadCounts(GatewayCounters counters) =>
        Reasons.ToDictionary(r => r, r => counters.Sum(GrainMetrics.XboxConsumesHeldUpName, GrainMetrics.ReasonTag, r));

    /// <summary>Reads <c>entitlements.xbox.oldest_unsettled_consume_age</c> of one meter factory's <c>Entitlements.Grains</c> meter.</summary>
    private sealed class UnsettledConsumeGauge : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<double> _read = [];

        public UnsettledConsumeGauge(IMeterFactory meters)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Meter.Name == "Entitlements.Grains"
                    && instrument.Name == "entitlements.xbox.oldest_unsettled_consume_age")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((_, value, _, _) => _read.Add(value));
            _listener.Start();
        }

        /// <summary>One collection: the gauge's single value.</summary>
        public double Read()
        {
            lock (_read)
            {
                _read.Clear();
                _listener.RecordObservableInstruments();
                return Assert.Single(_read);
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
