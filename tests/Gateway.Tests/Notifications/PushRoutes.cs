using System.Net.Http.Headers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Entitlements.Gateway.Auth;
using Entitlements.Notifications;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.Notifications;

/// <summary>The push routes, tokens for them, and what the feed says, for one gateway.</summary>
internal static class PushRoutes
{
    public const string AllWebSocket = "/notifications/v1/ws";
    public const string AllSse = "/notifications/v1/sse";

    public static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string PlayerWebSocket(Guid player) => $"/notifications/v1/player/{player}/ws";

    public static string PlayerSse(Guid player) => $"/notifications/v1/player/{player}/sse";

    public static Uri BaseAddress(this GatewayFixture fixture) => fixture.Client.BaseAddress!;

    /// <summary>The operator's token: <c>inv:*</c> covers both notification permissions.</summary>
    public static string OperatorToken(this GatewayFixture fixture) => fixture.Client.DefaultRequestHeaders.Authorization!.Parameter!;

    /// <summary>A player's own token: no permissions, <c>sub</c> the player.</summary>
    public static string PlayerToken(this GatewayFixture fixture, Guid player) =>
        fixture.App.Services.GetRequiredService<DevelopmentIssuer>().Mint([], player, TimeSpan.FromHours(1));

    public static string Token(this GatewayFixture fixture, params string[] permissions) =>
        fixture.App.Services.GetRequiredService<DevelopmentIssuer>().Mint(permissions, player: null, TimeSpan.FromHours(1));

    /// <summary>The feed position a cursor names, read from the gateway's cluster.</summary>
    public static async Task<long> PositionAsync(this GatewayFixture fixture, string cursor)
    {
        var position = await fixture.App.Services.GetRequiredService<IGrainFactory>().GetGrain<INotificationFeedGrain>(0).DecodeCursorAsync(cursor);
        Assert.True(position is not null, $"{cursor} is not a notification cursor");
        return position.Value;
    }

    /// <summary>The cursor of the feed's head, read from the gateway's cluster.</summary>
    public static async Task<string> HeadCursorAsync(this GatewayFixture fixture) =>
        (await fixture.App.Services.GetRequiredService<IGrainFactory>().GetGrain<INotificationFeedGrain>(0).HeadWithCursorAsync()).Cursor;

    /// <summary>The player's ledger version, from the <c>ETag</c> of the entitlements listing.</summary>
    public static async Task<long> VersionAsync(this HttpClient client, Guid player)
    {
        var response = await client.GetEntitlementsAsync(player);
        var tag = response.Headers.ETag ?? EntityTagHeaderValue.Parse(response.Headers.GetValues("ETag").Single());
        return long.Parse(tag.Tag.Trim('"'), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The exact JSON of the <c>entitlementUpdated</c> message for one entitlement, in the seed's field order.</summary>
    public static string EntitlementUpdated(string action, JsonObject entitlement) =>
        new JsonObject
        {
            ["type"] = "entitlementUpdated",
            ["payload"] = new JsonObject { ["action"] = action, ["data"] = new JsonArray(entitlement) },
        }.ToJsonString(Relaxed);

    /// <summary>The raw <c>message</c> of a WebSocket frame: the frame ends with it, byte for byte.</summary>
    public static string RawMessage(string frame)
    {
        const string Marker = ",\"message\":";
        var start = frame.IndexOf(Marker, StringComparison.Ordinal);
        Assert.True(start > 0 && frame.EndsWith('}'), $"not a notification frame: {frame}");
        return frame[(start + Marker.Length)..^1];
    }
}
