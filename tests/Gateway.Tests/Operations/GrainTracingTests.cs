using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.Notifications;
using Entitlements.Tests.Webhooks;

namespace Entitlements.Tests.Operations;

/// <summary>
/// With <c>Telemetry:GrainTraces</c> on, a request's trace reaches the grains: Orleans' grain-call spans continue
/// the caller's <c>traceparent</c>, and what a grain writes during the request (here the <c>traceId</c> of a
/// <c>revocationCompleted</c>) names it, with or without anything listening to Orleans' activity sources. The
/// relay a grant wakes publishes in a trace of its own.
/// </summary>
public sealed class GrainTracingTests(GrainTracingTests.TracingGateway fixture) : IClassFixture<GrainTracingTests.TracingGateway>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task Grant_WithTraceparent_GrainCallSpansCarryTheRequestTraceId()
    {
        var player = await _client.CreatePlayerAsync();
        var (traceId, traceparent) = NewTraceparent();
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.Orleans.Application",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId.ToHexString() == traceId)
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        var grant = await PostEventAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")), traceparent);

        Assert.Equal(HttpStatusCode.OK, grant.Status);
        // The gateway asks the platform user grain, then the player grain, which reads the SKU: each call a client
        // span where it is made and a server span around the grain's turn, all in the caller's trace.
        var userCall = await SpanPairAsync(spans, "IPlatformUserGrain/GetAsync");
        var playerCall = await SpanPairAsync(spans, "IPlayerGrain/SubmitEntitlementEventAsync");
        var skuCall = await SpanPairAsync(spans, "ICatalogSkuGrain/GetAsync");
        Assert.Equal(userCall.Client.ParentSpanId, playerCall.Client.ParentSpanId);
        Assert.Equal(playerCall.Server.SpanId, skuCall.Client.ParentSpanId);
        Assert.Equal(
            ("Entitlements.IPlayerGrain/SubmitEntitlementEventAsync", $"player/{player.Uuid:N}"),
            (playerCall.Server.GetTagItem("rpc.method"), playerCall.Server.GetTagItem("orleans.rpc.target_id")));
    }

    [Fact]
    public async Task Refund_WithTraceparentAndNoTraceListener_RevocationCompletedCarriesTheRequestTraceId()
    {
        var player = await _client.CreatePlayerAsync();
        var transaction = Unique.Name("tx");
        await using var socket = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), fixture.PlayerToken(player.Uuid));
        var (traceId, traceparent) = NewTraceparent();

        var refund = await PostEventAsync(EventRequests.Create("refund", player.PlatformUserId, "gems_100", transaction), traceparent);

        Assert.Equal(HttpStatusCode.OK, refund.Status);
        var (revocation, _) = await socket.NextNotificationAsync();
        Assert.Equal(
            ("revocationCompleted", ExpectedEvent.Id(refund.BodyObject), traceId),
            (revocation["name"]!.GetValue<string>(), revocation["event_id"]!.GetValue<string>(), revocation["message"]!["traceId"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Grant_WithTraceparent_TheRelayItWakesPublishesInATraceOfItsOwn()
    {
        var player = await _client.CreatePlayerAsync();
        await using var socket = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), fixture.PlayerToken(player.Uuid));
        var (traceId, traceparent) = NewTraceparent();
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        var grant = await PostEventAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")), traceparent);
        var (notification, _) = await socket.NextNotificationAsync();

        Assert.Equal((HttpStatusCode.OK, ExpectedEvent.Id(grant.BodyObject)), (grant.Status, notification["event_id"]!.GetValue<string>()));

        // The grant's own call that wakes the relay is in the grant's trace; what the relay's pump then does for
        // every player (here: the stream publish that carried this notification) is not. Once the publish's
        // span has ended, in whichever trace, and the wake's too, the grant's trace is complete.
        await Poll.UntilAsync(
            () => spans.Any(s => s.OperationName.Contains("IMemoryStreamQueueGrain", StringComparison.Ordinal))
                && spans.Any(s => s.TraceId.ToHexString() == traceId && s.OperationName == "INotificationRelayGrain/WakeAsync"),
            TimeSpan.FromSeconds(10),
            "the stream publish's and the relay wake's spans did not end");
        var inTrace = spans.Where(s => s.TraceId.ToHexString() == traceId).Select(s => $"{s.Kind} {s.OperationName}").ToList();
        Assert.Contains("Client INotificationRelayGrain/WakeAsync", inTrace);
        Assert.DoesNotContain(inTrace, span => span.Contains("IMemoryStreamQueueGrain", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Grant_WithTraceparent_ItsWebhookDeliveryCarriesAnotherTrace()
    {
        var player = await _client.CreatePlayerAsync();
        var (traceId, traceparent) = NewTraceparent();

        var grant = await PostEventAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")), traceparent);

        Assert.Equal(HttpStatusCode.OK, grant.Status);
        var delivered = await fixture.Receiver.WaitForDeliveredAsync(TracingGateway.WebhookPath, player.Uuid, 1);
        var delivery = Assert.Single(delivered);
        Assert.Equal(ExpectedEvent.Id(grant.BodyObject), delivery.Header("X-Entitlements-Event-Id"));
        // The webhook's pump sends for every player: it may carry a trace of its own, never the grant's.
        Assert.DoesNotContain(traceId, delivery.Headers.GetValueOrDefault("traceparent") ?? string.Empty, StringComparison.Ordinal);
    }

    /// <summary>A gateway with grain traces on and no OTLP export, and one webhook posting to a loopback receiver.</summary>
    public sealed class TracingGateway : GatewayFixture, IAsyncLifetime
    {
        public const string WebhookPath = "/hooks/traced";

        private WebhookReceiver? _receiver;

        public WebhookReceiver Receiver => _receiver ?? throw new InvalidOperationException("The receiver is not started.");

        public new async Task InitializeAsync()
        {
            _receiver = await WebhookReceiver.StartAsync();
            await base.InitializeAsync();
        }

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            if (_receiver is not null)
            {
                await _receiver.DisposeAsync();
            }
        }

        protected override void Configure(IDictionary<string, string?> settings)
        {
            settings["Telemetry:GrainTraces"] = "true";
            settings["Notifications:Webhooks:0:Name"] = "traced";
            settings["Notifications:Webhooks:0:Url"] = Receiver.Url(WebhookPath).ToString();
            settings["Notifications:Webhooks:0:Secret"] = "tracing-webhook-secret-0123456789abcdef";
        }
    }

    /// <summary>The client and server spans of the one call to <paramref name="name"/>, the server's parent the client, once both have ended.</summary>
    private static async Task<(Activity Client, Activity Server)> SpanPairAsync(ConcurrentQueue<Activity> spans, string name)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var calls = spans.Where(s => s.OperationName == name).ToList();
            if (calls.Count >= 2 || DateTime.UtcNow > deadline)
            {
                var client = Assert.Single(calls, s => s.Kind == ActivityKind.Client);
                var server = Assert.Single(calls, s => s.Kind == ActivityKind.Server);
                Assert.Equal(client.SpanId, server.ParentSpanId);
                return (client, server);
            }

            await Task.Delay(50);
        }
    }

    internal static (string TraceId, string Traceparent) NewTraceparent()
    {
        var traceId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        return (traceId, $"00-{traceId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}-01");
    }

    private Task<ApiResponse> PostEventAsync(System.Text.Json.Nodes.JsonNode body, string traceparent) =>
        _client.SendAsync(HttpMethod.Post, GatewayHttp.EventsPath, body.ToJsonString(), r => r.Headers.Add("traceparent", traceparent));
}
