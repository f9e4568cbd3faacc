using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Entitlements.Tests.Infrastructure;

/// <summary>The gateway's routes as one-line calls over a real <see cref="HttpClient"/>.</summary>
internal static class GatewayHttp
{
    public const string EventsPath = "/inventory/v1/entitlement-event";

    public static async Task<ApiResponse> SendAsync(this HttpClient client, HttpMethod method, string url, string? body = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(url, UriKind.Relative));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        configure?.Invoke(request);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new ApiResponse(response.StatusCode, text, response.Headers, response.Content.Headers);
    }

    /// <summary>Sends exactly these bytes as an <c>application/json</c> body.</summary>
    public static Task<ApiResponse> SendBytesAsync(this HttpClient client, HttpMethod method, string url, byte[] body) =>
        client.SendAsync(method, url, configure: request =>
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new("application/json");
        });

    public static Task<ApiResponse> GetApiAsync(this HttpClient client, string url) => client.SendAsync(HttpMethod.Get, url);

    public static Task<ApiResponse> PostEventAsync(this HttpClient client, JsonNode body) =>
        client.SendAsync(HttpMethod.Post, EventsPath, body.ToJsonString());

    public static Task<ApiResponse> PostEventAsync(this HttpClient client, string body) =>
        client.SendAsync(HttpMethod.Post, EventsPath, body);

    /// <summary>POST an entitlement event that must be answered 200; returns the event.</summary>
    public static async Task<JsonObject> PostEventOkAsync(this HttpClient client, JsonNode body)
    {
        var response = await client.PostEventAsync(body);
        Assert.True(response.Status == HttpStatusCode.OK, $"POST {body.ToJsonString()} answered {response}");
        return response.BodyObject;
    }

    /// <summary>Link a fresh Steam user to a new player (or to <paramref name="playerUuid"/>).</summary>
    public static async Task<Player> CreatePlayerAsync(this HttpClient client, string? platformUserId = null, Guid? playerUuid = null)
    {
        var user = platformUserId ?? Unique.Name("steam");
        var url = $"/users/v1/platform-user?platform=Steam&platform_user_id={Uri.EscapeDataString(user)}&display_name=Tester";
        if (playerUuid is { } uuid)
        {
            url += $"&player_uuid={uuid}";
        }

        var response = await client.SendAsync(HttpMethod.Put, url);
        Assert.True(response.Status == HttpStatusCode.Created, $"PUT {url} answered {response}");
        var body = response.BodyObject;
        return new Player(Guid.Parse(body["player_uuid"]!.GetValue<string>(), CultureInfo.InvariantCulture), body["player_id"]!.GetValue<long>(), user);
    }

    public static async Task<JsonObject> ListEventsOkAsync(this HttpClient client, string query = "")
    {
        var response = await client.GetApiAsync(EventsPath + query);
        Assert.True(response.Status == HttpStatusCode.OK, $"GET {query} answered {response}");
        return response.BodyObject;
    }

    /// <summary>Every event of a listing, following cursors to the end (pages of 1000).</summary>
    public static async Task<List<JsonObject>> AllEventsAsync(this HttpClient client, string filter = "")
    {
        var events = new List<JsonObject>();
        string? cursor = null;
        do
        {
            var query = $"?limit=1000{filter}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var page = await client.ListEventsOkAsync(query);
            events.AddRange(page["events"]!.AsArray().Select(e => e!.AsObject()));
            cursor = page["cursor"]?.GetValue<string>();
        }
        while (cursor is not null);
        return events;
    }

    public static async Task<ApiResponse> GetEntitlementsAsync(this HttpClient client, Guid player) =>
        await client.GetApiAsync($"/inventory/v1/player/{player}/entitlements");

    /// <summary>The <c>data</c> array of a player's current entitlements.</summary>
    public static async Task<JsonArray> EntitlementsOkAsync(this HttpClient client, Guid player)
    {
        var response = await client.GetEntitlementsAsync(player);
        Assert.True(response.Status == HttpStatusCode.OK, $"GET entitlements of {player} answered {response}");
        JsonAssert.Equal(new JsonObject { ["previous"] = null, ["next"] = null }, response.BodyObject["paging"]!);
        return response.BodyObject["data"]!.AsArray();
    }

    public static async Task<JsonObject> ConsumeOkAsync(this HttpClient client, Guid player, string itemId, long quantity)
    {
        var body = new JsonObject { ["item_id"] = itemId, ["quantity"] = quantity, ["operation_id"] = Unique.Name("op") };
        var response = await client.SendAsync(HttpMethod.Post, $"/inventory/v1/player/{player}/entitlements/consume", body.ToJsonString());
        Assert.True(response.Status == HttpStatusCode.OK, $"consume {body.ToJsonString()} answered {response}");
        return response.BodyObject;
    }

    public static Task<ApiResponse> PutCatalogAsync(this HttpClient client, string platform, string sku, JsonNode body) =>
        client.SendAsync(HttpMethod.Put, $"/inventory/v1/catalog/entitlement-sku/{platform}/{Uri.EscapeDataString(sku)}", body.ToJsonString());
}
