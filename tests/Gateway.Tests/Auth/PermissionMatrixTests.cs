using System.Net;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Auth;

/// <summary>
/// Every route against every permission, over real HTTP: the route's own permission and its family's
/// wildcard get through (the answer is exactly the operator's), everything else is 403 insufficient_permissions.
/// </summary>
public sealed class PermissionMatrixTests(AuthGatewayFixture fixture) : IClassFixture<AuthGatewayFixture>
{
    /// <summary>A player nobody created: the player routes answer 404 or 422 once past authorization.</summary>
    private const string Nobody = "6f1c2a57-0d7e-4b8e-9a51-2f6b1c0d9e44";

    /// <summary>Each route, the permission it declares and the wildcard that covers it.</summary>
    private static readonly (string Route, string Permission, string Wildcard)[] Routes =
    [
        ("POST entitlement-event", "inv:entitlement_event:write", "inv:*"),
        ("GET entitlement-event", "inv:entitlement_event:read", "inv:*"),
        ("GET catalog", "inv:catalog:read", "inv:*"),
        ("PUT catalog", "inv:catalog:write", "inv:*"),
        ("GET platform-user", "user:platform:read", "user:*"),
        ("PUT platform-user", "user:platform:create", "user:*"),
        ("GET player entitlements", "inv:entitlements:read", "inv:*"),
        ("POST player consume", "inv:entitlements:write", "inv:*"),
    ];

    public static TheoryData<string, string> Allowed()
    {
        var data = new TheoryData<string, string>();
        foreach (var (route, permission, wildcard) in Routes)
        {
            data.Add(route, permission);
            data.Add(route, wildcard);
            data.Add(route, $"inv:catalog:read {permission}");
        }

        return data;
    }

    public static TheoryData<string, string> Denied()
    {
        var data = new TheoryData<string, string>();
        foreach (var (route, permission, wildcard) in Routes)
        {
            data.Add(route, "");
            data.Add(route, wildcard == "inv:*" ? "user:*" : "inv:*");
            data.Add(route, string.Join(' ', Routes.Select(r => r.Permission).Where(p => p != permission)));
            data.Add(route, $"{permission[..permission.LastIndexOf(':')]} {permission}s {permission.ToUpperInvariant()} {wildcard[..^1]}");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Allowed))]
    public async Task Route_TokenWithItsPermissionOrWildcard_GetsTheOperatorsAnswer(string route, string permissions)
    {
        var (method, url, body, status) = Request(route);
        var reference = await fixture.Operator.SendAuthAsync(method, url, authorization: null, body: body);

        var response = await fixture.Client.SendAuthAsync(method, url, "Bearer " + Token(permissions), body: body);

        Assert.True(response.Status == status, $"{route} with [{permissions}]: expected {(int)status}, got {response}");
        Assert.Equal(reference.ToString(), response.ToString());
    }

    [Theory]
    [MemberData(nameof(Denied))]
    public async Task Route_TokenWithoutItsPermission_Returns403InsufficientPermissions(string route, string permissions)
    {
        var (method, url, body, _) = Request(route);

        var response = await fixture.Client.SendAuthAsync(method, url, "Bearer " + Token(permissions), body: body);

        AuthHttp.Forbidden(response);
    }

    [Theory]
    [InlineData("POST entitlement-event")]
    [InlineData("GET entitlement-event")]
    [InlineData("GET catalog")]
    [InlineData("PUT catalog")]
    [InlineData("GET platform-user")]
    [InlineData("PUT platform-user")]
    [InlineData("GET player entitlements")]
    [InlineData("POST player consume")]
    public async Task Route_NoCredentials_Returns403NotJwt(string route)
    {
        var (method, url, body, _) = Request(route);

        var response = await fixture.Client.SendAuthAsync(method, url, authorization: null, body: body);

        AuthHttp.Rejected("auth_not_jwt", AuthHttp.NotJwt, response);
    }

    /// <summary>A request each route answers without side effects once authorized, and that answer's status.</summary>
    private static (HttpMethod Method, string Url, string? Body, HttpStatusCode Status) Request(string route) => route switch
    {
        "POST entitlement-event" => (HttpMethod.Post, GatewayHttp.EventsPath, "{}", HttpStatusCode.UnprocessableEntity),
        "GET entitlement-event" => (HttpMethod.Get, GatewayHttp.EventsPath + "?limit=1", null, HttpStatusCode.OK),
        "GET catalog" => (HttpMethod.Get, AuthHttp.ProbePath, null, HttpStatusCode.OK),
        "PUT catalog" => (HttpMethod.Put, "/inventory/v1/catalog/entitlement-sku/Steam/matrix_sku", "{}", HttpStatusCode.UnprocessableEntity),
        "GET platform-user" => (HttpMethod.Get, "/users/v1/platform-user?platform=Steam&platform_user_id=matrix-nobody", null, HttpStatusCode.NotFound),
        "PUT platform-user" => (HttpMethod.Put, "/users/v1/platform-user?platform=Steam", null, HttpStatusCode.UnprocessableEntity),
        "GET player entitlements" => (HttpMethod.Get, $"/inventory/v1/player/{Nobody}/entitlements", null, HttpStatusCode.NotFound),
        "POST player consume" => (HttpMethod.Post, $"/inventory/v1/player/{Nobody}/entitlements/consume", "{}", HttpStatusCode.UnprocessableEntity),
        _ => throw new ArgumentOutOfRangeException(nameof(route), route, null),
    };

    private string Token(string permissions) =>
        fixture.Keys.Es256(TestKeys.Claims(permissions.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
}
