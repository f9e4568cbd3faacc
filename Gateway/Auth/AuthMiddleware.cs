using System.Globalization;
using Entitlements.Gateway.RallyHere;
using Microsoft.Extensions.Options;

namespace Entitlements.Gateway.Auth;

/// <summary>
/// Enforces the permission every route declares (<see cref="PermissionRequirement"/>). Credentials come
/// from the <c>Authorization</c> header or, failing that, a cookie of the same name. Every refusal is a
/// 403 with RallyHere's <c>HzApiErrorModel</c>; a route that declares nothing is refused (fail closed)
/// unless it is marked <see cref="AnonymousAccess"/>. Signing keys that have never loaded are not a
/// refusal: <see cref="SigningKeysUnavailableException"/> reaches <see cref="Hosting.ErrorMiddleware"/>, which answers 503.
/// <para>
/// A browser sends the cookie with requests that pages of other sites make (a form post, a text/plain
/// fetch, a WebSocket), so a cookie is accepted only from a request with no <c>Origin</c>, or with the
/// gateway's own origin or one of <see cref="AuthOptions.AllowedOrigins"/>; the header is never sent by
/// a browser unless the page's own script sets it, which another site cannot do without CORS.
/// </para>
/// </summary>
public sealed class AuthMiddleware(RequestDelegate next, JwtValidator validator, IOptions<AuthOptions> options)
{
    /// <summary>The display name ASP.NET routing gives the endpoint that answers 405.</summary>
    private const string MethodNotAllowed = "405 HTTP Method Not Supported";

    /// <summary>The key of the request's credential in <see cref="HttpContext.Items"/>.</summary>
    private static readonly object CredentialKey = new();

    private readonly HashSet<string> _allowedOrigins = [.. options.Value.AllowedOrigins.Select(RequestOrigin.Normalize).OfType<string>()];

    public async Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        // No endpoint (404), routing's own "method not allowed" endpoint (405), or a public route.
        if (endpoint is null
            || endpoint.Metadata.GetMetadata<AnonymousAccess>() is not null
            || (endpoint.Metadata.GetMetadata<PermissionRequirement>() is null && endpoint.DisplayName == MethodNotAllowed))
        {
            await next(context);
            return;
        }

        var credential = context.Request.Headers.Authorization.FirstOrDefault();
        if (string.IsNullOrEmpty(credential) && AuthorizationCookie(context.Request) is { } cookie)
        {
            if (!OriginAllowed(context.Request))
            {
                await RefuseAsync(context, new HzApiErrorModel(
                    AuthSuccess: false,
                    AuthErrorCode.ForeignOrigin,
                    "The Authorization cookie is not accepted from this Origin: send the token in the Authorization header"));
                return;
            }

            credential = cookie.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? cookie : "Bearer " + cookie;
        }

        var (token, rejection) = await validator.ValidateAsync(credential, context.RequestAborted);
        if (rejection is not null)
        {
            await RefuseAsync(context, new HzApiErrorModel(AuthSuccess: false, rejection.ErrorCode, rejection.Description));
            return;
        }

        var requirement = endpoint.Metadata.GetMetadata<PermissionRequirement>();
        if (requirement is null || !Allowed(token!, requirement, context))
        {
            await RefuseAsync(context, new HzApiErrorModel(AuthSuccess: true, AuthErrorCode.InsufficientPermissions, "Insufficient Permissions"));
            return;
        }

        context.Items[typeof(AccessToken)] = token;
        context.Items[CredentialKey] = credential;
        await next(context);
    }

    /// <summary>
    /// What the request was authenticated with, <c>Bearer &lt;jwt&gt;</c> from the header or the cookie, for a
    /// connection that must check it again while it lasts (<see cref="CredentialWatch"/>); null on a public route.
    /// </summary>
    public static string? Credential(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(CredentialKey, out var credential) ? credential as string : null;
    }

    /// <summary>
    /// The <c>Authorization</c> cookie, read from the raw header: its value, <c>Bearer &lt;jwt&gt;</c>, holds a
    /// space, which the strict cookie parser drops. Percent-encoded and quoted values are accepted too.
    /// </summary>
    private static string? AuthorizationCookie(HttpRequest request)
    {
        foreach (var header in request.Headers.Cookie)
        {
            foreach (var pair in (header ?? string.Empty).Split(';'))
            {
                var separator = pair.IndexOf('=', StringComparison.Ordinal);
                if (separator > 0 && pair[..separator].Trim() == "Authorization")
                {
                    var value = pair[(separator + 1)..].Trim().Trim('"');
                    try
                    {
                        return Uri.UnescapeDataString(value);
                    }
                    catch (UriFormatException)
                    {
                        return value;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>
    /// No <c>Origin</c> (not a browser, or a browser's same-origin GET), or the origin is the request's own
    /// (its scheme and <c>Host</c>) or an allowed one.
    /// </summary>
    private bool OriginAllowed(HttpRequest request)
    {
        var origins = request.Headers.Origin;
        if (origins.Count == 0)
        {
            return true;
        }

        if (origins.Count > 1 || RequestOrigin.Normalize(origins[0]) is not { } origin)
        {
            // Two Origin headers, "null" (a sandboxed page, a redirect across sites) or no origin at all.
            return false;
        }

        return origin == RequestOrigin.Own(request) || _allowedOrigins.Contains(origin);
    }

    private static bool Allowed(AccessToken token, PermissionRequirement requirement, HttpContext context) =>
        token.Has(requirement.Permission)
        || (requirement.SelfAllowed && token.Player is { } self && TargetPlayer(context) == self);

    /// <summary>The player a request is about: the <c>player_uuid</c> route value.</summary>
    private static Guid? TargetPlayer(HttpContext context)
    {
        var text = context.Request.RouteValues["player_uuid"] as string;
        return Guid.TryParse(text, CultureInfo.InvariantCulture, out var player) ? player : null;
    }

    private static Task RefuseAsync(HttpContext context, HzApiErrorModel error)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return context.Response.WriteAsJsonAsync(error);
    }
}
