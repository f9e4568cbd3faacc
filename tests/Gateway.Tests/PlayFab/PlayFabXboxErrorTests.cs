using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Contracts;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.PlayFab;

/// <summary>Every PlayFab error of ConsumeXboxEntitlements and LoginWithXbox, as <c>ApiErrorWrapper</c> with both name and number.</summary>
public sealed class PlayFabXboxErrorTests(XboxErrorFixture fixture) : IClassFixture<XboxErrorFixture>
{
    private const string ReportErrorAsSuccess = "X-ReportErrorAsSuccess";

    private readonly HttpClient _client = fixture.Client;
    private readonly SimulatorHost _simulator = fixture.Simulator;

    [Fact]
    public async Task ConsumeXboxEntitlements_WithoutSessionTicket_IsNotAuthenticated()
    {
        var (_, token) = await LoggedInUserAsync();

        var response = await _client.ConsumeXboxAsync(null, token);

        PlayFabHttp.AssertError(response, HttpStatusCode.Unauthorized, "NotAuthenticated", 1074);
    }

    [Theory]
    [InlineData("not-a-ticket")]
    [InlineData("AQ7Tpo2XiJ1OjXogS2KNYnwAAAAAawgdwjI1MzU0MDUyOTAwMDAwMDE.hFi-FQrVS8KI_a79R0NjWLdsyP2CCvM-9uzkFEaos8w")]
    public async Task ConsumeXboxEntitlements_ForgedSessionTicket_IsInvalidSessionTicket(string ticket)
    {
        var (_, token) = await LoggedInUserAsync();

        var response = await _client.ConsumeXboxAsync(ticket, token);

        PlayFabHttp.AssertError(response, HttpStatusCode.Unauthorized, "InvalidSessionTicket", 1100);
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_TamperedSessionTicket_IsInvalidSessionTicket()
    {
        var (ticket, token) = await LoggedInUserAsync();
        var tampered = (ticket[0] == 'A' ? "B" : "A") + ticket[1..];

        var response = await _client.ConsumeXboxAsync(tampered, token);

        PlayFabHttp.AssertError(response, HttpStatusCode.Unauthorized, "InvalidSessionTicket", 1100);
    }

    /// <summary>
    /// A ticket has one spelling, the base64url without padding that login answers. The runtime's base64 decoder
    /// also takes the same bytes padded, with <c>+</c> and <c>/</c>, with white space inside, or with the unused low
    /// bits of the last character set: each such spelling is answered exactly as a ticket the gateway never issued.
    /// </summary>
    [Theory]
    [InlineData("padded")]
    [InlineData("plus")]
    [InlineData("slash")]
    [InlineData("white space")]
    [InlineData("trailing bits")]
    public async Task ConsumeXboxEntitlements_TicketSpelledOtherwise_IsAnsweredAsAnUnknownTicket(string spelling)
    {
        var (ticket, token) = await TicketHoldingAsync('-', '_');
        var parts = ticket.Split('.');
        var respelled = spelling switch
        {
            "padded" => string.Join('.', parts.Select(part => part + new string('=', (4 - (part.Length % 4)) % 4))),
            "plus" => ticket.Replace('-', '+'),
            "slash" => ticket.Replace('_', '/'),
            "white space" => ticket[..4] + "  \t " + ticket[4..],
            "trailing bits" => ticket[..^1] + Base64UrlAlphabet[Base64UrlAlphabet.IndexOf(ticket[^1], StringComparison.Ordinal) | 1],
            _ => throw new ArgumentOutOfRangeException(nameof(spelling), spelling, null),
        };
        Assert.NotEqual(ticket, respelled);

        var unknown = await _client.ConsumeXboxAsync("not-a-ticket", token);
        var refused = await _client.ConsumeXboxAsync(respelled, token);
        var accepted = await _client.ConsumeXboxAsync(ticket, token);

        PlayFabHttp.AssertError(refused, HttpStatusCode.Unauthorized, "InvalidSessionTicket", 1100);
        JsonAssert.Equal(unknown.Json, refused.Json);
        Assert.True(accepted.Status == HttpStatusCode.OK, $"the ticket as issued: {accepted}");
    }

    private const string Base64UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// <summary>
    /// A logged-in user's ticket that holds each of <paramref name="characters"/>. A ticket is mostly a MAC, so
    /// which characters it holds is chance: the same session, signed again with an expiry one second later, is
    /// another draw (each holds both <c>-</c> and <c>_</c> more than half the time).
    /// </summary>
    private async Task<(string Ticket, string Token)> TicketHoldingAsync(params char[] characters)
    {
        var (ticket, token) = await LoggedInUserAsync();
        var tickets = fixture.Gateway.App.Services.GetRequiredService<IGrainFactory>().GetGrain<ISessionTicketGrain>(0);
        var claims = await tickets.ReadAsync(ticket) ?? throw new InvalidOperationException("The login's own ticket did not read back.");
        for (var draw = 1; !characters.All(ticket.Contains); draw++)
        {
            Assert.True(draw <= 100, $"no ticket of 100 held all of {new string(characters)}");
            ticket = await tickets.IssueAsync(claims with { Expires = claims.Expires.AddSeconds(draw) });
        }

        return (ticket, token);
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_ExpiredSessionTicket_IsInvalidSessionTicket()
    {
        var (ticket, token) = await LoggedInUserAsync();
        // Tickets signed with the gateway's own key for the same session, one that expires in a second or two
        // (the issuer refuses an expiry already past): once it has, only the expiry tells them apart.
        var tickets = fixture.Gateway.App.Services.GetRequiredService<IGrainFactory>().GetGrain<ISessionTicketGrain>(0);
        var claims = await tickets.ReadAsync(ticket) ?? throw new InvalidOperationException("The login's own ticket did not read back.");
        var expired = await tickets.IssueAsync(claims with { Expires = DateTimeOffset.UtcNow.AddSeconds(2) });
        var current = await tickets.IssueAsync(claims with { Expires = DateTimeOffset.UtcNow.AddMinutes(5) });
        await Poll.UntilAsync(async () => await tickets.ReadAsync(expired) is null, TimeSpan.FromSeconds(30), "The short ticket did not expire.", TimeSpan.FromMilliseconds(100));

        var refused = await _client.ConsumeXboxAsync(expired, token);
        var accepted = await _client.ConsumeXboxAsync(current, token);

        PlayFabHttp.AssertError(refused, HttpStatusCode.Unauthorized, "InvalidSessionTicket", 1100);
        Assert.Equal(HttpStatusCode.OK, accepted.Status);
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_TicketOfAPlayerTheXuidWasMovedAwayFrom_IsInvalidSessionTicketAndConsumesNothing()
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Moved Gems");
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("c", gems.ProductId, "Consumable", 3));
        var token = await _simulator.TokenAsync(xuid);
        var (oldTicket, _) = await _client.LoginOkAsync(token);
        var oldPlayer = await _client.XboxPlayerAsync(xuid);
        var newPlayer = Guid.NewGuid();
        await _client.MoveXboxLinkAsync(xuid, newPlayer);

        var refused = await _client.ConsumeXboxAsync(oldTicket, token);

        PlayFabHttp.AssertError(refused, HttpStatusCode.Unauthorized, "InvalidSessionTicket", 1100);
        Assert.Equal(3, await _simulator.QuantityAsync(xuid, "c"));
        Assert.Empty(await _client.AllEventsAsync($"&player_uuid={oldPlayer}"));
        var (newTicket, _) = await _client.LoginOkAsync(token);
        Assert.Equal(3, Assert.Single(await _client.ConsumeXboxOkAsync(newTicket, token))!["UsesIncrementedBy"]!.GetValue<long>());
        Assert.Equal(0, await _simulator.QuantityAsync(xuid, "c"));
        Assert.Equal(newPlayer, await _client.XboxPlayerAsync(xuid));
        Assert.Single(await _client.AllEventsAsync($"&player_uuid={newPlayer}"));
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_WithoutXboxToken_IsInvalidParamsWithDetails()
    {
        var (ticket, _) = await LoggedInUserAsync();

        var response = await _client.SendAsync(HttpMethod.Post, "/Client/ConsumeXboxEntitlements" + PlayFabHttp.Sdk, "{\"CatalogVersion\": 5}", r => r.Headers.Add("X-Authorization", ticket));

        PlayFabHttp.AssertError(response, HttpStatusCode.BadRequest, "InvalidParams", 1000);
        JsonAssert.Equal(
            new JsonObject { ["XboxToken"] = new JsonArray("The XboxToken field is required."), ["CatalogVersion"] = new JsonArray("The CatalogVersion field must be a string.") },
            response.Json["errorDetails"]);
    }

    /// <summary>A NUL in the catalog version, which the player grain refuses: a bad request, and nothing consumed. It was a 500.</summary>
    [Fact]
    public async Task ConsumeXboxEntitlements_NulInCatalogVersion_IsInvalidParamsAndConsumesNothing()
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Nul Gems");
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("c", gems.ProductId, "Consumable", 2));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);
        var body = new JsonObject { ["XboxToken"] = token, ["CatalogVersion"] = "v\u00001" }.ToJsonString();

        var response = await _client.SendAsync(HttpMethod.Post, "/Client/ConsumeXboxEntitlements" + PlayFabHttp.Sdk, body, r => r.Headers.Add("X-Authorization", ticket));

        PlayFabHttp.AssertError(response, HttpStatusCode.BadRequest, "InvalidParams", 1000);
        JsonAssert.Equal(new JsonObject { ["CatalogVersion"] = new JsonArray("The CatalogVersion field holds a NUL character (U+0000).") }, response.Json["errorDetails"]);
        Assert.Equal(2, await _simulator.QuantityAsync(xuid, "c"));
        Assert.Empty(await _client.AllEventsAsync($"&player_uuid={await _client.XboxPlayerAsync(xuid)}"));
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_BodyNotJson_IsInvalidParams()
    {
        var (ticket, _) = await LoggedInUserAsync();

        var response = await _client.SendAsync(HttpMethod.Post, "/Client/ConsumeXboxEntitlements", "{\"XboxToken\": ", r => r.Headers.Add("X-Authorization", ticket));

        PlayFabHttp.AssertError(response, HttpStatusCode.BadRequest, "InvalidParams", 1000);
        JsonAssert.Equal(new JsonObject { ["body"] = new JsonArray("The request body is not valid JSON.") }, response.Json["errorDetails"]);
    }

    [Fact]
    public async Task LoginWithXbox_BodyNotUtf8_IsInvalidParams()
    {
        byte[] body = [.. "{\"TitleId\":\""u8, 0xFF, .. "\",\"XboxToken\":\"x\"}"u8];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");

        using var answer = await _client.PostAsync(new Uri("/Client/LoginWithXbox", UriKind.Relative), content);
        var response = new ApiResponse(answer.StatusCode, await answer.Content.ReadAsStringAsync(), answer.Headers, answer.Content.Headers);

        PlayFabHttp.AssertError(response, HttpStatusCode.BadRequest, "InvalidParams", 1000);
        JsonAssert.Equal(new JsonObject { ["body"] = new JsonArray("The request body is not valid JSON.") }, response.Json["errorDetails"]);
    }

    public static TheoryData<string> InvalidTokens => new()
    {
        """{"headerUserHash": "0000"}""",
        """{"signWithUnknownKey": true}""",
        """{"encryptToUnknownKey": true}""",
        """{"audience": "https://other.example.com/"}""",
        """{"notBeforeSeconds": 600}""",
        """{"gamertag": "Play\u0000er"}""",
    };

    [Theory]
    [MemberData(nameof(InvalidTokens))]
    public async Task ConsumeXboxEntitlements_InvalidXboxToken_IsInvalidXboxLiveToken(string tokenRequest)
    {
        var (ticket, xuid) = await LoggedInXuidAsync();
        var token = await _simulator.TokenAsync(xuid, JsonNode.Parse(tokenRequest)!.AsObject());

        var response = await _client.ConsumeXboxAsync(ticket, token);

        PlayFabHttp.AssertError(response, HttpStatusCode.BadRequest, "InvalidXboxLiveToken", 1188);
    }

    [Theory]
    [InlineData("")]
    [InlineData("XBL3.0 x=abc")]
    [InlineData("XBL3.0 x=abc;eyJ.eyJ.e.e.e")]
    [InlineData("XBL3.0 x=abc;eyJhbGciOiL_In0.a.b.c.d")] // a JWE header whose alg is the byte 0xFF, not UTF-8
    [InlineData("Bearer abc")]
    public async Task ConsumeXboxEntitlements_MalformedXboxToken_IsInvalidXboxLiveToken(string token)
    {
        var (ticket, _) = await LoggedInUserAsync();

        var response = await _client.ConsumeXboxAsync(ticket, token);

        PlayFabHttp.AssertError(response, HttpStatusCode.BadRequest, token.Length == 0 ? "InvalidParams" : "InvalidXboxLiveToken", token.Length == 0 ? 1000 : 1188);
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_AnotherUsersXboxToken_IsInvalidXboxLiveToken()
    {
        var (ticket, _) = await LoggedInUserAsync();
        var other = await _simulator.TokenAsync(await _simulator.CreateUserAsync());

        var response = await _client.ConsumeXboxAsync(ticket, other);

        PlayFabHttp.AssertError(response, HttpStatusCode.BadRequest, "InvalidXboxLiveToken", 1188);
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_ExpiredXboxToken_IsExpiredXboxLiveToken()
    {
        var (ticket, xuid) = await LoggedInXuidAsync();
        var token = await _simulator.TokenAsync(xuid, new JsonObject { ["lifetimeSeconds"] = -120 });

        var response = await _client.ConsumeXboxAsync(ticket, token);

        PlayFabHttp.AssertError(response, HttpStatusCode.BadRequest, "ExpiredXboxLiveToken", 1189);
    }

    [Fact]
    public async Task LoginWithXbox_ExpiredXboxToken_IsExpiredXboxLiveToken()
    {
        var xuid = await _simulator.CreateUserAsync();
        var token = await _simulator.TokenAsync(xuid, new JsonObject { ["lifetimeSeconds"] = -120 });

        var response = await _client.LoginAsync(token);

        PlayFabHttp.AssertError(response, HttpStatusCode.BadRequest, "ExpiredXboxLiveToken", 1189);
    }

    [Fact]
    public async Task LoginWithXbox_GamertagWithNul_IsInvalidXboxLiveToken_AndLinksNobody()
    {
        var xuid = await _simulator.CreateUserAsync();
        var token = await _simulator.TokenAsync(xuid, new JsonObject { ["gamertag"] = "Play\0er" });

        var response = await _client.LoginAsync(token);

        PlayFabHttp.AssertError(response, HttpStatusCode.BadRequest, "InvalidXboxLiveToken", 1188);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetApiAsync($"/users/v1/platform-user?platform=XboxLive&platform_user_id={xuid}")).Status);
    }

    /// <summary>
    /// A gamertag longer than the 256 characters a platform user's display name may have (no Xbox gamertag
    /// comes near it): refused as a NUL in it is. The login linked it before, as the grain took any length.
    /// </summary>
    [Fact]
    public async Task LoginWithXbox_GamertagLongerThan256_IsInvalidXboxLiveToken_AndLinksNobody()
    {
        var xuid = await _simulator.CreateUserAsync();
        var token = await _simulator.TokenAsync(xuid, new JsonObject { ["gamertag"] = new string('g', 257) });

        var response = await _client.LoginAsync(token);

        PlayFabHttp.AssertError(response, HttpStatusCode.BadRequest, "InvalidXboxLiveToken", 1188);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetApiAsync($"/users/v1/platform-user?platform=XboxLive&platform_user_id={xuid}")).Status);
    }

    /// <summary>
    /// An XUID longer than a session ticket holds (710 bytes of UTF-8; real XUIDs are 16 digits): refused before
    /// anything is linked. The login linked it before and then failed to issue its ticket, on every try.
    /// </summary>
    [Fact]
    public async Task LoginWithXbox_XuidLongerThanATicketHolds_IsInvalidXboxLiveToken_AndLinksNobody()
    {
        var xuid = new string('7', SessionTicketClaims.MaxXuidBytes + 1);
        await _simulator.PutUserAsync(xuid, []);
        var token = await _simulator.TokenAsync(xuid);

        var response = await _client.LoginAsync(token);

        PlayFabHttp.AssertError(response, HttpStatusCode.BadRequest, "InvalidXboxLiveToken", 1188);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetApiAsync($"/users/v1/platform-user?platform=XboxLive&platform_user_id={xuid}")).Status);
    }

    [Fact]
    public async Task LoginWithXbox_SandboxNotEnabled_IsProductDisabledForTitle()
    {
        var xuid = await _simulator.CreateUserAsync();
        var token = await _simulator.TokenAsync(xuid, new JsonObject { ["sandbox"] = "XDKS.1" });

        var response = await _client.LoginAsync(token);

        PlayFabHttp.AssertError(response, HttpStatusCode.BadRequest, "ProductDisabledForTitle", 1609);
    }

    [Fact]
    public async Task LoginWithXbox_WithoutTitleId_IsInvalidParamsWithDetails()
    {
        var response = await _client.SendAsync(HttpMethod.Post, "/Client/LoginWithXbox", "{\"XboxToken\": \"XBL3.0 x=1;2\", \"CreateAccount\": \"yes\"}");

        PlayFabHttp.AssertError(response, HttpStatusCode.BadRequest, "InvalidParams", 1000);
        JsonAssert.Equal(
            new JsonObject { ["TitleId"] = new JsonArray("The TitleId field is required."), ["CreateAccount"] = new JsonArray("The CreateAccount field must be a boolean.") },
            response.Json["errorDetails"]);
    }

    [Fact]
    public async Task LoginWithXbox_InfoRequestParametersNotAnObject_IsInvalidParams()
    {
        var response = await _client.SendAsync(HttpMethod.Post, "/Client/LoginWithXbox", "{\"TitleId\": \"E2E1\", \"XboxToken\": \"XBL3.0 x=1;2\", \"InfoRequestParameters\": true}");

        JsonAssert.Response(HttpStatusCode.BadRequest, InvalidParams("InfoRequestParameters", "The InfoRequestParameters field must be an object."), response);
    }

    [Fact]
    public async Task LoginWithXbox_InfoRequestFlagNotABoolean_IsInvalidParams()
    {
        var response = await _client.SendAsync(
            HttpMethod.Post,
            "/Client/LoginWithXbox",
            "{\"TitleId\": \"E2E1\", \"XboxToken\": \"XBL3.0 x=1;2\", \"InfoRequestParameters\": {\"GetUserAccountInfo\": \"yes\", \"GetUserData\": false}}");

        JsonAssert.Response(
            HttpStatusCode.BadRequest,
            InvalidParams("InfoRequestParameters.GetUserAccountInfo", "The InfoRequestParameters.GetUserAccountInfo field must be a boolean."),
            response);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("True")]
    [InlineData(" TRUE ")]
    public async Task LoginWithXbox_UnknownUserAskingErrorsAsSuccess_IsHttp200WithTheSameEnvelope(string header)
    {
        var token = await _simulator.TokenAsync(await _simulator.CreateUserAsync());
        var expected = new JsonObject
        {
            ["code"] = 400,
            ["status"] = "BadRequest",
            ["error"] = "AccountNotFound",
            ["errorCode"] = 1001,
            ["errorMessage"] = "User not found",
            ["errorDetails"] = null,
        };

        var plain = await _client.LoginAsync(token, createAccount: false);
        var asSuccess = await _client.SendAsync(
            HttpMethod.Post,
            "/Client/LoginWithXbox" + PlayFabHttp.Sdk,
            new JsonObject { ["TitleId"] = "E2E1", ["XboxToken"] = token, ["CreateAccount"] = false }.ToJsonString(),
            r => r.Headers.Add(ReportErrorAsSuccess, header));

        JsonAssert.Response(HttpStatusCode.BadRequest, expected, plain);
        JsonAssert.Response(HttpStatusCode.OK, expected, asSuccess);
        Assert.True(asSuccess.Headers.Contains("X-RequestId"), "no X-RequestId header");
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_BadTicketAskingErrorsAsSuccess_IsHttp200WithTheUnauthorizedEnvelope()
    {
        var (_, token) = await LoggedInUserAsync();

        var response = await _client.SendAsync(
            HttpMethod.Post,
            "/Client/ConsumeXboxEntitlements" + PlayFabHttp.Sdk,
            new JsonObject { ["XboxToken"] = token }.ToJsonString(),
            r =>
            {
                r.Headers.Add("X-Authorization", "not-a-ticket");
                r.Headers.Add(ReportErrorAsSuccess, "true");
            });

        JsonAssert.Response(
            HttpStatusCode.OK,
            new JsonObject
            {
                ["code"] = 401,
                ["status"] = "Unauthorized",
                ["error"] = "InvalidSessionTicket",
                ["errorCode"] = 1100,
                ["errorMessage"] = "The session ticket is invalid or has expired.",
                ["errorDetails"] = null,
            },
            response);
    }

    [Theory]
    [InlineData("true", HttpStatusCode.OK)]
    [InlineData("false", HttpStatusCode.BadRequest)]
    [InlineData("1", HttpStatusCode.BadRequest)]
    [InlineData(null, HttpStatusCode.BadRequest)]
    public async Task ConsumeXboxEntitlements_BodyNotJson_IsInvalidParamsWithTheStatusTheHeaderAsks(string? header, HttpStatusCode status)
    {
        var (ticket, _) = await LoggedInUserAsync();

        var response = await _client.SendAsync(
            HttpMethod.Post,
            "/Client/ConsumeXboxEntitlements",
            "{\"XboxToken\": ",
            r =>
            {
                r.Headers.Add("X-Authorization", ticket);
                if (header is not null)
                {
                    r.Headers.Add(ReportErrorAsSuccess, header);
                }
            });

        JsonAssert.Response(status, InvalidParams("body", "The request body is not valid JSON."), response);
    }

    [Theory]
    [InlineData("""{"throttle": true}""", "XboxServiceTooManyRequests", 1505)]
    [InlineData("""{"outage": true}""", "XboxInaccessible", 1339)]
    [InlineData("""{"delayMilliseconds": 1500}""", "XboxInaccessible", 1339)]
    [InlineData("""{"rejectCredentials": 401}""", "XboxRejectedXSTSExchangeRequest", 1343)]
    [InlineData("""{"rejectCredentials": 403}""", "XboxXASSExchangeFailure", 1306)]
    public async Task ConsumeXboxEntitlements_CollectionsServiceFails_MapsToPlayFabError(string faults, string error, int errorCode)
    {
        var (ticket, xuid) = await LoggedInXuidAsync();
        var token = await _simulator.TokenAsync(xuid);
        var response = await _simulator.UnderFaultsAsync(JsonNode.Parse(faults)!.AsObject(), () => _client.ConsumeXboxAsync(ticket, token));

        PlayFabHttp.AssertError(response, HttpStatusCode.BadRequest, error, errorCode);
        Assert.Empty(await _client.ConsumeXboxOkAsync(ticket, token));
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_CollectionsServiceFailsTwiceThenRecovers_SucceedsWithinTheRetryBudget()
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Retry Gems");
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("c", gems.ProductId, "Consumable", 2));
        var (ticket, _) = await _client.LoginOkAsync(await _simulator.TokenAsync(xuid));
        var token = await _simulator.TokenAsync(xuid);
        var items = await _simulator.UnderFaultsAsync(new JsonObject { ["failNextRequests"] = 2 }, () => _client.ConsumeXboxOkAsync(ticket, token));

        Assert.Equal(2, Assert.Single(items)!["UsesIncrementedBy"]!.GetValue<long>());
        Assert.Equal(0, await _simulator.QuantityAsync(xuid, "c"));
    }

    [Theory]
    [InlineData("""{"newQuantity": null}""")]
    [InlineData("""[]""")]
    [InlineData("""not json""")]
    public async Task ConsumeXboxEntitlements_ConsumeSucceedsWithAnUnexpectedAnswer_GrantsWhatItConsumed(string answer)
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Odd Answer Gems", unitsPerQuantity: 10);
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("c", gems.ProductId, "Consumable", 3));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);
        var items = await _simulator.UnderFaultsAsync(new JsonObject { ["consumeAnswerBody"] = answer }, () => _client.ConsumeXboxOkAsync(ticket, token));

        var item = Assert.Single(items)!;
        Assert.Equal((gems.ItemId, 30L), (item["ItemId"]!.GetValue<string>(), item["UsesIncrementedBy"]!.GetValue<long>()));
        Assert.Equal(0, await _simulator.QuantityAsync(xuid, "c"));
        Assert.Empty(await _client.ConsumeXboxOkAsync(ticket, token));
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_MalformedItemsInTheQueryAnswer_AreSkippedAndTheRestIsConsumed()
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Odd Page Gems", unitsPerQuantity: 10);
        var skin = await _client.PutXboxCatalogAsync("durable", Unique.Name("skin"), "Odd Page Skin");
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("c", gems.ProductId, "Consumable", 3));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);
        // Every malformed item names a mapped product, and comes before the well-formed one.
        var good = (await _simulator.UserAsync(xuid))["items"]![0]!.DeepClone();
        var page = new JsonObject
        {
            ["items"] = new JsonArray(
                new JsonObject { ["id"] = "null-quantity", ["productId"] = gems.ProductId, ["productKind"] = "Consumable", ["quantity"] = null },
                new JsonObject { ["id"] = "no-kind", ["productId"] = skin.ProductId, ["quantity"] = 1 },
                new JsonObject { ["id"] = "null-product", ["productId"] = null, ["productKind"] = "Durable", ["quantity"] = 1 },
                new JsonObject { ["productId"] = skin.ProductId, ["productKind"] = "Durable", ["quantity"] = 1 },
                new JsonObject { ["id"] = "number-status", ["productId"] = skin.ProductId, ["productKind"] = "Durable", ["status"] = 1 },
                42,
                null,
                good),
        };
        var items = await _simulator.UnderFaultsAsync(new JsonObject { ["queryAnswerBody"] = page.ToJsonString() }, () => _client.ConsumeXboxOkAsync(ticket, token));

        var item = Assert.Single(items)!;
        Assert.Equal((gems.ItemId, 30L), (item["ItemId"]!.GetValue<string>(), item["UsesIncrementedBy"]!.GetValue<long>()));
        Assert.Equal(0, await _simulator.QuantityAsync(xuid, "c"));
        var grant = Assert.Single(await _client.AllEventsAsync($"&player_uuid={await _client.XboxPlayerAsync(xuid)}"));
        Assert.Equal((gems.ProductId, 3L), (grant["sku"]!.GetValue<string>(), grant["quantity"]!.GetValue<long>()));
    }

    /// <summary>
    /// An item holding a string the ledger could not store: an escaped lone surrogate (valid JSON that .NET
    /// cannot read as a string), or a NUL (PostgreSQL's text refuses it). <c>{skin}</c> and <c>{gems}</c>
    /// stand for mapped product ids, so that only the odd string keeps the item from being granted.
    /// </summary>
    [Theory]
    [InlineData("""{"id":"lone-order","productId":"{skin}","productKind":"Durable","transactionId":"order-\ud800"}""")]
    [InlineData("""{"id":"lone-product","productId":"{skin}\udc00","productKind":"Durable"}""")]
    [InlineData("""{"id":"\ud800","productId":"{gems}","productKind":"Consumable","quantity":3}""")]
    [InlineData("""{"id":"lone-name","productId":"{skin}","productKind":"Durable","\ud800":1}""")]
    [InlineData("""{"id":"nul-order","productId":"{skin}","productKind":"Durable","transactionId":"order\u0000"}""")]
    [InlineData("""{"id":"nul-id\u0000","productId":"{skin}","productKind":"Durable"}""")]
    public async Task ConsumeXboxEntitlements_ItemWithTextTheLedgerCannotStore_IsSkippedAndTheRestIsConsumed(string oddItem)
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Odd Text Gems", unitsPerQuantity: 10);
        var skin = await _client.PutXboxCatalogAsync("durable", Unique.Name("skin"), "Odd Text Skin");
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("c", gems.ProductId, "Consumable", 3));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);
        var good = (await _simulator.UserAsync(xuid))["items"]![0]!.ToJsonString();
        // Written as JSON text: a lone surrogate has no form a JsonNode could write.
        var odd = oddItem.Replace("{skin}", skin.ProductId, StringComparison.Ordinal).Replace("{gems}", gems.ProductId, StringComparison.Ordinal);
        var page = $$"""{"items":[{{odd}},{{good}}]}""";

        var items = await _simulator.UnderFaultsAsync(new JsonObject { ["queryAnswerBody"] = page }, () => _client.ConsumeXboxOkAsync(ticket, token));

        var item = Assert.Single(items)!;
        Assert.Equal((gems.ItemId, 30L), (item["ItemId"]!.GetValue<string>(), item["UsesIncrementedBy"]!.GetValue<long>()));
        Assert.Equal(0, await _simulator.QuantityAsync(xuid, "c"));
        var grant = Assert.Single(await _client.AllEventsAsync($"&player_uuid={await _client.XboxPlayerAsync(xuid)}"));
        Assert.Equal((gems.ProductId, 3L), (grant["sku"]!.GetValue<string>(), grant["quantity"]!.GetValue<long>()));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("42")]
    [InlineData("not json")]
    public async Task ConsumeXboxEntitlements_QueryAnswerNotAnObject_IsXboxInaccessibleAndTheNextCallConsumes(string answer)
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Odd Root Gems");
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("c", gems.ProductId, "Consumable", 2));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);
        var response = await _simulator.UnderFaultsAsync(new JsonObject { ["queryAnswerBody"] = answer }, () => _client.ConsumeXboxAsync(ticket, token));

        PlayFabHttp.AssertError(response, HttpStatusCode.BadRequest, "XboxInaccessible", 1339);
        Assert.Equal(2, await _simulator.QuantityAsync(xuid, "c"));
        Assert.Equal(2, Assert.Single(await _client.ConsumeXboxOkAsync(ticket, token))!["UsesIncrementedBy"]!.GetValue<long>());
    }

    /// <summary>
    /// A page whose own strings cannot be decoded (an escaped lone surrogate as its continuation token, or
    /// as a property name the reader looks past) is a malformed answer, as one that is not an object is.
    /// </summary>
    [Theory]
    [InlineData("""{"items":[],"continuationToken":"\ud800"}""")]
    [InlineData("""{"items":[],"\ud800":1}""")]
    public async Task ConsumeXboxEntitlements_QueryAnswerWithAnUndecodablePageString_IsXboxInaccessibleAndTheNextCallConsumes(string answer)
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Odd Token Gems");
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("c", gems.ProductId, "Consumable", 2));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);
        var response = await _simulator.UnderFaultsAsync(new JsonObject { ["queryAnswerBody"] = answer }, () => _client.ConsumeXboxAsync(ticket, token));

        PlayFabHttp.AssertError(response, HttpStatusCode.BadRequest, "XboxInaccessible", 1339);
        Assert.Equal(2, await _simulator.QuantityAsync(xuid, "c"));
        Assert.Equal(2, Assert.Single(await _client.ConsumeXboxOkAsync(ticket, token))!["UsesIncrementedBy"]!.GetValue<long>());
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_ConsumeFailsAfterTheQuery_NextCallCompletesWithTheSameTrackingId()
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Outage Gems");
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("c", gems.ProductId, "Consumable", 3));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);
        // The query passes; every consume attempt of the first call (3) fails.
        var first = await ConsumeWithFailuresAfterQueryAsync(ticket, token, failures: 3);
        var second = await _client.ConsumeXboxOkAsync(ticket, token);

        PlayFabHttp.AssertError(first, HttpStatusCode.BadRequest, "XboxInaccessible", 1339);
        Assert.Equal(3, Assert.Single(second)!["UsesIncrementedBy"]!.GetValue<long>());
        var consume = Assert.Single((await _simulator.UserAsync(xuid))["consumes"]!.AsObject());
        Assert.Equal(1, consume.Value!["requests"]!.GetValue<int>());
        Assert.Equal(0, await _simulator.QuantityAsync(xuid, "c"));
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_XboxFailsAfterAGrant_AnswersTheGrantAndTheNextCallGrantsTheRest()
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Midway Gems", unitsPerQuantity: 10);
        var coins = await _client.PutXboxCatalogAsync("consumable", Unique.Name("coins"), "Midway Coins");
        var xuid = await _simulator.CreateUserAsync(
            SimulatorHost.Item("c1", gems.ProductId, "Consumable", 3),
            SimulatorHost.Item("c2", coins.ProductId, "Consumable", 2));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);
        // The query and the first consume pass; every attempt of the second consume (3) fails.
        var first = await _simulator.UnderFaultsAsync(new JsonObject { ["failAfterRequests"] = 2, ["failNextRequests"] = 3 }, () => _client.ConsumeXboxOkAsync(ticket, token));

        var firstItem = Assert.Single(first)!;
        Assert.Equal((gems.ItemId, 30L), (firstItem["ItemId"]!.GetValue<string>(), firstItem["UsesIncrementedBy"]!.GetValue<long>()));
        Assert.Equal((0L, 2L), (await _simulator.QuantityAsync(xuid, "c1"), await _simulator.QuantityAsync(xuid, "c2")));

        var second = await _client.ConsumeXboxOkAsync(ticket, token);

        var secondItem = Assert.Single(second)!;
        Assert.Equal((coins.ItemId, 2L), (secondItem["ItemId"]!.GetValue<string>(), secondItem["UsesIncrementedBy"]!.GetValue<long>()));
        Assert.Equal((0L, 0L), (await _simulator.QuantityAsync(xuid, "c1"), await _simulator.QuantityAsync(xuid, "c2")));
        // The second consume finished with the tracking id of its started row, sent once more.
        var consumes = (await _simulator.UserAsync(xuid))["consumes"]!.AsObject();
        Assert.Equal(2, consumes.Count);
        Assert.All(consumes, c => Assert.Equal(1, c.Value!["requests"]!.GetValue<int>()));
        Assert.Empty(await _client.ConsumeXboxOkAsync(ticket, token));
    }

    /// <summary>A consume whose query succeeds and whose next <paramref name="failures"/> collections requests fail.</summary>
    private async Task<ApiResponse> ConsumeWithFailuresAfterQueryAsync(string ticket, string token, int failures)
    {
        // A query page costs one request; the consume attempts that follow meet the failures.
        return await _simulator.UnderFaultsAsync(new JsonObject { ["failAfterRequests"] = 1, ["failNextRequests"] = failures }, () => _client.ConsumeXboxAsync(ticket, token));
    }

    /// <summary>PlayFab's InvalidParams body with one field's message.</summary>
    private static JsonObject InvalidParams(string field, string message) => new()
    {
        ["code"] = 400,
        ["status"] = "BadRequest",
        ["error"] = "InvalidParams",
        ["errorCode"] = 1000,
        ["errorMessage"] = "Invalid input parameters",
        ["errorDetails"] = new JsonObject { [field] = new JsonArray(message) },
    };

    private async Task<(string Ticket, string Token)> LoggedInUserAsync()
    {
        var xuid = await _simulator.CreateUserAsync();
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);
        return (ticket, token);
    }

    private async Task<(string Ticket, string Xuid)> LoggedInXuidAsync()
    {
        var xuid = await _simulator.CreateUserAsync();
        var (ticket, _) = await _client.LoginOkAsync(await _simulator.TokenAsync(xuid));
        return (ticket, xuid);
    }
}
