using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Auth;

/// <summary>Requests with credentials set by hand, and the exact 403 bodies the gateway answers with.</summary>
internal static class AuthHttp
{
    /// <summary>A route any token with <c>inv:catalog:read</c> may call: 200 with the sample catalog's entry.</summary>
    public const string ProbePath = "/inventory/v1/catalog/entitlement-sku/Steam/gems_100";

    public const string ProbePermission = "inv:catalog:read";

    public const string NotJwt = "Invalid Authorization";
    public const string Malformed = "Invalid Authorization - malformed access token";
    public const string InvalidKeyId = "Invalid Authorization - Invalid Key ID in Access Token";
    public const string SignatureInvalid = "Token Signature is invalid";
    public const string Expired = "Token is expired";
    public const string NotAccessToken = "Invalid Authorization - token is not an access token";
    public const string BadVersion = "Invalid Authorization - version";
    public const string Unparseable = "Failed to parse token";
    public const string Insufficient = "Insufficient Permissions";

    public static string WrongType(string claim) => $"Invalid Authorization - claim '{claim}' has the wrong type";

    public static string InvalidClaim(string claim) => $"Token contained invalid claim value: {claim}";

    /// <summary>Send with exactly these credentials: an <c>Authorization</c> header and/or a raw <c>Cookie</c> header.</summary>
    public static Task<ApiResponse> SendAuthAsync(this HttpClient client, HttpMethod method, string url, string? authorization, string? cookie = null, string? body = null) =>
        client.SendAsync(method, url, body, request =>
        {
            if (authorization is not null)
            {
                Assert.True(request.Headers.TryAddWithoutValidation("Authorization", authorization));
            }

            if (cookie is not null)
            {
                Assert.True(request.Headers.TryAddWithoutValidation("Cookie", cookie));
            }
        });

    /// <summary>GET the probe route with <c>Authorization: Bearer &lt;token&gt;</c>.</summary>
    public static Task<ApiResponse> ProbeAsync(this HttpClient client, string token) =>
        client.SendAuthAsync(HttpMethod.Get, ProbePath, "Bearer " + token);

    /// <summary>A 403 <c>HzApiErrorModel</c> for a token that failed: <c>auth_success</c> false.</summary>
    public static void Rejected(string errorCode, string desc, ApiResponse actual) =>
        JsonAssert.Response(HttpStatusCode.Forbidden, new JsonObject { ["auth_success"] = false, ["error_code"] = errorCode, ["desc"] = desc }, actual);

    /// <summary>A 403 for a good token that lacks the permission: <c>auth_success</c> true.</summary>
    public static void Forbidden(ApiResponse actual) =>
        JsonAssert.Response(HttpStatusCode.Forbidden, new JsonObject { ["auth_success"] = true, ["error_code"] = "insufficient_permissions", ["desc"] = Insufficient }, actual);

    /// <summary>The probe route's answer to a token that passed.</summary>
    public static void ProbeAccepted(ApiResponse actual)
    {
        Assert.True(actual.Status == HttpStatusCode.OK, $"expected 200, got {actual}");
        Assert.Equal("gems_100", actual.Json["sku"]?.GetValue<string>());
    }
}
