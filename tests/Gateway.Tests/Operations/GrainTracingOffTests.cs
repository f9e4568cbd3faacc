using System.Net;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.Notifications;

namespace Entitlements.Tests.Operations;

/// <summary>
/// Without OTLP export and without <c>Telemetry:GrainTraces</c>, grain calls do not carry the request's trace
/// (it costs a grant's gateway CPU): a <c>revocationCompleted</c> names its event instead, in 32 hex digits.
/// </summary>
public sealed class GrainTracingOffTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Refund_WithTraceparentAndGrainTracesOff_RevocationCompletedCarriesTheEventId()
    {
        var client = fixture.Client;
        var player = await client.CreatePlayerAsync();
        await using var socket = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), fixture.PlayerToken(player.Uuid));
        var (_, traceparent) = GrainTracingTests.NewTraceparent();

        var refund = await client.SendAsync(
            HttpMethod.Post, GatewayHttp.EventsPath, EventRequests.Create("refund", player.PlatformUserId, "gems_100", Unique.Name("tx")).ToJsonString(),
            r => r.Headers.Add("traceparent", traceparent));

        Assert.Equal(HttpStatusCode.OK, refund.Status);
        var (revocation, _) = await socket.NextNotificationAsync();
        var eventId = ExpectedEvent.Id(refund.BodyObject);
        Assert.Equal(
            ("revocationCompleted", eventId, eventId.Replace("-", string.Empty, StringComparison.Ordinal)),
            (revocation["name"]!.GetValue<string>(), revocation["event_id"]!.GetValue<string>(), revocation["message"]!["traceId"]!.GetValue<string>()));
    }
}
