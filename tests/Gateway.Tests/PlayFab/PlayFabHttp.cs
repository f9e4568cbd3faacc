using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.PlayFab;

/// <summary>PlayFab's Client calls as the SDKs send them (with <c>?sdk=</c>), over a real <see cref="HttpClient"/>.</summary>
internal static class PlayFabHttp
{
    public const string Sdk = "?sdk=CSharpSDK-1.0";

    /// <summary>The player an Xbox user (by XUID) is linked to, from the users API.</summary>
    public static async Task<Guid> XboxPlayerAsync(this HttpClient client, string xuid)
    {
        var link = await client.GetApiAsync($"/users/v1/platform-user?platform=XboxLive&platform_user_id={xuid}");
        Assert.True(link.Status == HttpStatusCode.OK, $"platform-user answered {link}");
        return Guid.Parse(link.Json["player_uuid"]!.GetValue<string>(), CultureInfo.InvariantCulture);
    }

    public static Task<ApiResponse> LoginAsync(this HttpClient client, string xboxToken, bool createAccount = true) =>
        client.SendAsync(
            HttpMethod.Post,
            "/Client/LoginWithXbox" + Sdk,
            new JsonObject { ["TitleId"] = "E2E1", ["XboxToken"] = xboxToken, ["CreateAccount"] = createAccount }.ToJsonString());

    /// <summary>Log in (creating the account) and return the session ticket and PlayFab id.</summary>
    public static async Task<(string Ticket, string PlayFabId)> LoginOkAsync(this HttpClient client, string xboxToken)
    {
        var response = await client.LoginAsync(xboxToken);
        Assert.True(response.Status == HttpStatusCode.OK, $"login answered {response}");
        var data = response.Json["data"]!;
        return (data["SessionTicket"]!.GetValue<string>(), data["PlayFabId"]!.GetValue<string>());
    }

    public static Task<ApiResponse> ConsumeXboxAsync(this HttpClient client, string? ticket, string xboxToken, string path = "/Client/ConsumeXboxEntitlements") =>
        client.SendAsync(
            HttpMethod.Post,
            path + Sdk,
            new JsonObject { ["XboxToken"] = xboxToken }.ToJsonString(),
            request =>
            {
                if (ticket is not null)
                {
                    request.Headers.Add("X-Authorization", ticket);
                }
            });

    /// <summary>A consume that must succeed: its <c>data.Items</c>.</summary>
    public static async Task<JsonArray> ConsumeXboxOkAsync(this HttpClient client, string ticket, string xboxToken)
    {
        var response = await client.ConsumeXboxAsync(ticket, xboxToken);
        Assert.True(response.Status == HttpStatusCode.OK, $"consume answered {response}");
        Assert.Equal(200, response.Json["code"]!.GetValue<int>());
        Assert.Equal("OK", response.Json["status"]!.GetValue<string>());
        return response.Json["data"]!["Items"]!.AsArray();
    }

    /// <summary>Assert PlayFab's <c>ApiErrorWrapper</c>: HTTP status, name and number, and an <c>X-RequestId</c>.</summary>
    public static void AssertError(ApiResponse response, HttpStatusCode status, string error, int errorCode)
    {
        Assert.True(response.Status == status, $"expected {(int)status} {error}, got {response}");
        var body = response.BodyObject;
        Assert.Equal((int)status, body["code"]!.GetValue<int>());
        Assert.Equal(status == HttpStatusCode.BadRequest ? "BadRequest" : status == HttpStatusCode.Unauthorized ? "Unauthorized" : "ServiceUnavailable", body["status"]!.GetValue<string>());
        Assert.Equal(error, body["error"]!.GetValue<string>());
        Assert.Equal(errorCode, body["errorCode"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(body["errorMessage"]!.GetValue<string>()));
        Assert.True(body.ContainsKey("errorDetails"));
        Assert.True(response.Headers.Contains("X-RequestId"), "no X-RequestId header");
        if (status == HttpStatusCode.ServiceUnavailable)
        {
            // The wait, in the header and in the body (PlayFab's SDKs read the body's field).
            Assert.Equal("1", Assert.Single(response.Headers.GetValues("Retry-After")));
            Assert.Equal(1, body["retryAfterSeconds"]!.GetValue<long>());
        }
        else
        {
            Assert.False(body.ContainsKey("retryAfterSeconds"), $"retryAfterSeconds on {error}");
        }
    }

    /// <summary>Move the Xbox user's link (by XUID) to <paramref name="player"/>, as an operator does with the users API.</summary>
    public static async Task MoveXboxLinkAsync(this HttpClient client, string xuid, Guid player)
    {
        var move = await client.SendAsync(HttpMethod.Put, $"/users/v1/platform-user?platform=XboxLive&platform_user_id={xuid}&display_name=Tester&player_uuid={player}");
        Assert.True(move.Status is HttpStatusCode.OK or HttpStatusCode.Created, $"moving the link answered {move}");
    }

    /// <summary>A catalog entry for XboxLive mapping a fresh product id (also its SKU); returns (item id, product id).</summary>
    public static async Task<(string ItemId, string ProductId)> PutXboxCatalogAsync(this HttpClient client, string type, string itemId, string itemName, long unitsPerQuantity = 1)
    {
        var productId = "9P" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
        var body = new JsonObject
        {
            ["loot_entitlement"] = new JsonObject { ["type"] = type, ["loot_id"] = 9000 },
            ["item_id"] = itemId,
            ["item_name"] = itemName,
            ["item_class"] = "XboxTest",
            ["units_per_quantity"] = unitsPerQuantity,
            ["platform_product_id"] = productId,
        };
        var response = await client.PutCatalogAsync("XboxLive", productId, body);
        Assert.True(response.Status is HttpStatusCode.OK or HttpStatusCode.Created, $"catalog PUT answered {response}");
        return (itemId, productId);
    }
}
