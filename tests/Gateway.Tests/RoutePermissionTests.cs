using System.Reflection;
using Entitlements.Gateway.Auth;
using Entitlements.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests;

/// <summary>Every mapped route declares the permission it needs, so that the auth layer has something to enforce.</summary>
public sealed class RoutePermissionTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public void Routes_EveryRouteEndpoint_DeclaresAKnownPermission()
    {
        var known = typeof(Permissions).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToHashSet(StringComparer.Ordinal);

        var endpoints = RouteEndpoints().Where(e => e.Metadata.GetMetadata<AnonymousAccess>() is null).ToList();

        Assert.True(endpoints.Count >= 8, $"expected the gateway's routes, found {endpoints.Count}");
        Assert.All(endpoints, endpoint =>
        {
            var requirement = endpoint.Metadata.GetMetadata<PermissionRequirement>();
            Assert.True(requirement is not null, $"{Describe(endpoint)} declares no permission");
            Assert.Contains(requirement.Permission, known);
        });
    }

    [Fact]
    public void Routes_OpenToEveryone_AreOnlyThePublicKeysHealthAndDashboardLogin()
    {
        var open = RouteEndpoints().Where(e => e.Metadata.GetMetadata<AnonymousAccess>() is not null).Select(Describe);

        // The PlayFab routes authenticate PlayFab's way: the XboxToken (login) and the X-Authorization session ticket.
        // The health probes are for orchestrators; the dashboard login checks the token it is given.
        // The OpenAPI document and its reference page describe the contract, not anyone's data.
        string[] expected =
        [
            "GET /.well-known/jwks.json", "POST /Client/LoginWithXbox", "POST /Client/ConsumeXboxEntitlements",
            "GET,HEAD /health/live", "GET,HEAD /health/ready", "GET /dashboard/login", "POST /dashboard/login", "POST /dashboard/logout",
            "GET /openapi/{documentName}.json", "GET /scalar/scalar.js", "GET /scalar/scalar.aspnetcore.js", "GET /scalar/favicon.svg", "GET /scalar/{documentName?}",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), open.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("DELETE", "/inventory/v1/entitlement-event")]
    [InlineData("PATCH", "/users/v1/platform-user")]
    public async Task Routes_WrongMethodOnKnownPath_Returns405(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));

        using var response = await fixture.Client.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Theory]
    [InlineData("POST", "/inventory/v1/entitlement-event", Permissions.EntitlementEventWrite)]
    [InlineData("GET", "/inventory/v1/entitlement-event", Permissions.EntitlementEventRead)]
    [InlineData("GET", "/inventory/v1/catalog/entitlement-sku/{platform}/{sku}", Permissions.CatalogRead)]
    [InlineData("PUT", "/inventory/v1/catalog/entitlement-sku/{platform}/{sku}", Permissions.CatalogWrite)]
    [InlineData("GET", "/users/v1/platform-user", Permissions.PlatformUserRead)]
    [InlineData("PUT", "/users/v1/platform-user", Permissions.PlatformUserCreate)]
    [InlineData("GET", "/inventory/v1/player/{player_uuid}/entitlements", Permissions.EntitlementsRead)]
    [InlineData("POST", "/inventory/v1/player/{player_uuid}/entitlements/consume", Permissions.EntitlementsWrite)]
    [InlineData("GET", "/ops/v1/webhooks", Permissions.WebhooksAdmin)]
    [InlineData("GET", "/ops/v1/webhooks/{name}/dead-letters", Permissions.WebhooksAdmin)]
    [InlineData("POST", "/ops/v1/webhooks/{name}/dead-letters/{id}/replay", Permissions.WebhooksAdmin)]
    [InlineData("POST", "/ops/v1/backups", Permissions.Backups)]
    [InlineData("GET", "/notifications/v1/player/{player_uuid}/ws", Permissions.NotificationsRead)]
    [InlineData("GET", "/notifications/v1/player/{player_uuid}/sse", Permissions.NotificationsRead)]
    [InlineData("GET", "/notifications/v1/ws", Permissions.NotificationsAll)]
    [InlineData("GET", "/notifications/v1/sse", Permissions.NotificationsAll)]
    [InlineData("GET", "/metrics", Permissions.Metrics)]
    [InlineData("GET", "/dashboard/DashboardCounters", Permissions.Dashboard)]
    [InlineData("GET", "/dashboard/index.html", Permissions.Dashboard)]
    public void Routes_Route_DeclaresItsPermission(string method, string pattern, string permission)
    {
        var endpoint = Assert.Single(RouteEndpoints(), e =>
            e.RoutePattern.RawText?.TrimEnd('/') == pattern && (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains(method) ?? false));

        Assert.Equal(permission, endpoint.Metadata.GetMetadata<PermissionRequirement>()?.Permission);
    }

    private List<RouteEndpoint> RouteEndpoints() =>
        [.. fixture.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()];

    private static string Describe(RouteEndpoint endpoint) =>
        $"{string.Join(",", endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])} {endpoint.RoutePattern.RawText}";
}
