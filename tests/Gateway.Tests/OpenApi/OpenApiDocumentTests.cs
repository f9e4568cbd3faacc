using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.OpenApi;

/// <summary>
/// The gateway's OpenAPI document and reference page, over real HTTP from a gateway process: both public,
/// the page's scripts served by the gateway itself, and the entitlement-event operations described with
/// RallyHere's own schemas (compared with <c>../shared/specs/rallyhere-inventory.openapi.json</c>).
/// </summary>
public sealed partial class OpenApiDocumentTests(GatewayProcessFixture fixture) : IClassFixture<GatewayProcessFixture>
{
    private const string EntitlementEventPath = "/inventory/v1/entitlement-event";

    [Fact]
    public async Task Document_WithoutToken_IsServedAsOpenApi31()
    {
        var document = JsonNode.Parse(await GetPublicAsync("/openapi/v1.json", "application/json"))!;

        Assert.Equal("3.1.1", (string?)document["openapi"]);
        Assert.Equal("HTTPBearerHeadersOrCookie", Assert.Single(document["components"]!["securitySchemes"]!.AsObject()).Key);
    }

    [Fact]
    public async Task EntitlementEventOperations_ComparedWithRallyHere_AreTheSame()
    {
        var comparer = new OpenApiComparer(RallyHereInventory(), await GatewayDocumentAsync());

        comparer.CompareOperation("/v1/entitlement-event", EntitlementEventPath, "post");
        comparer.CompareOperation("/v1/entitlement-event", EntitlementEventPath, "get");

        Assert.True(comparer.Differences.Count == 0, "The gateway's document differs from RallyHere's:\n" + string.Join("\n", comparer.Differences));
    }

    /// <summary>The comparison finds what it is meant to find: the gateway's document with three faults put in.</summary>
    [Fact]
    public async Task EntitlementEventOperations_WithFaultsPutIn_ReportsEachFault()
    {
        var document = await GatewayDocumentAsync();
        var schemas = document["components"]!["schemas"]!;
        schemas["EntitlementEvent"]!["required"]!.AsArray().RemoveAt(3);
        schemas["Platform"]!["enum"]!.AsArray().RemoveAt(15);
        document["paths"]![EntitlementEventPath]!["post"]!["responses"]!["422"]!["content"]!["application/json"]!["schema"] =
            new JsonObject { ["$ref"] = "#/components/schemas/HzApiErrorModel" };
        var comparer = new OpenApiComparer(RallyHereInventory(), document);

        comparer.CompareOperation("/v1/entitlement-event", EntitlementEventPath, "post");

        Assert.Equal(
            [
                $"POST {EntitlementEventPath} responses.422 content application/json schema.$ref: RallyHere has \"HTTPValidationError\", the gateway has \"HzApiErrorModel\"",
                """components.schemas.EntitlementEvent.required: RallyHere has ["action_type","created","event_id","last_modified","platform","platform_user_id","player_uuid","quantity","sku","status"], the gateway has ["action_type","created","event_id","last_modified","platform","platform_user_id","quantity","sku","status"]""",
                """components.schemas.Platform.enum: RallyHere has ["Anon","Basic","XboxLive","PSN","NintendoNAID","NintendoSwitch","NintendoPPID","Google","GooglePlay","Apple","Epic","Steam","Amazon","Twitch","RallyHere","LegacyName"], the gateway has ["Anon","Basic","XboxLive","PSN","NintendoNAID","NintendoSwitch","NintendoPPID","Google","GooglePlay","Apple","Epic","Steam","Amazon","Twitch","RallyHere"]""",
            ],
            comparer.Differences);
    }

    [Fact]
    public async Task ReferencePage_WithoutToken_LoadsEverythingFromTheGateway()
    {
        var html = await GetPublicAsync("/scalar/", "text/html");

        Assert.Contains("openapi/v1.json", html, StringComparison.Ordinal);
        // Nothing from elsewhere, so that the page works on a cluster with no internet: no absolute
        // address in the page, no web fonts, no telemetry, no hosted AI agent, and every script served by the gateway.
        Assert.DoesNotContain("://", html, StringComparison.Ordinal);
        Assert.Contains("\"withDefaultFonts\":false", html, StringComparison.Ordinal);
        Assert.Contains("\"telemetry\":false", html, StringComparison.Ordinal);
        Assert.Contains("\"agent\":{\"disabled\":true}", html, StringComparison.Ordinal);
        var scripts = ScriptSource().Matches(html).Select(m => m.Groups["src"].Value).ToList();
        Assert.NotEmpty(scripts);
        foreach (var source in scripts)
        {
            var script = await GetPublicAsync(source.StartsWith('/') ? source : "/scalar/" + source, "text/javascript");
            Assert.True(script.Length > 1000, $"script {source} is nearly empty");
        }
    }

    [Fact]
    public async Task Routes_WithoutToken_AreStillRefused()
    {
        using var anonymous = Anonymous();

        using var response = await anonymous.GetAsync(new Uri(EntitlementEventPath, UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("auth_not_jwt", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error_code"]);
    }

    /// <summary>GET with no credentials: a 200 of the given media type, and its body.</summary>
    private async Task<string> GetPublicAsync(string path, string mediaType)
    {
        using var anonymous = Anonymous();
        using var response = await anonymous.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    private HttpClient Anonymous() => new() { BaseAddress = fixture.Gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    private async Task<JsonObject> GatewayDocumentAsync() =>
        JsonNode.Parse(await fixture.Gateway.Client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)))!.AsObject();

    private static JsonObject RallyHereInventory()
    {
        var file = Path.Combine(RepositoryFolders.Shared, "specs", "rallyhere-inventory.openapi.json");
        Assert.True(File.Exists(file), $"{file} is missing: the tests read RallyHere's specification from ../shared/specs beside the repository");
        return JsonNode.Parse(File.ReadAllText(file))!.AsObject();
    }

    [GeneratedRegex("""<script[^>]*\bsrc="(?<src>[^"]+)"[^>]*>""", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptSource();
}
