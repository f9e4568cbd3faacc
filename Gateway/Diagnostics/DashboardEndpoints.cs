using Entitlements.Gateway.Auth;
using Entitlements.Gateway.RallyHere;
using Entitlements.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Orleans.Dashboard;

namespace Entitlements.Gateway.Diagnostics;

/// <summary>
/// The Orleans dashboard at <c>/dashboard</c>, behind <c>ops:dashboard</c>. The dashboard has no access
/// control of its own and shows grain state, so every one of its routes goes through the gateway's
/// permission check. A browser cannot attach a bearer token, so <c>/dashboard/login</c> takes the token once
/// (a form post, never a URL) and sets it as an HttpOnly, SameSite=Strict cookie scoped to <c>/dashboard</c>,
/// which the permission check reads like the header. Tools can send the header directly.
/// </summary>
public static class DashboardEndpoints
{
    public const string Path = "/dashboard";
    public const string LoginPath = Path + "/login";
    public const string LogoutPath = Path + "/logout";

    /// <summary>The cookie the permission check reads (<see cref="AuthMiddleware"/>).</summary>
    public const string CookieName = "Authorization";

    public static IEndpointRouteBuilder MapOperatorDashboard(this IEndpointRouteBuilder app, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!DashboardExtensions.DashboardSettingsOf(configuration).Enabled)
        {
            return app;
        }

        app.MapOrleansDashboard(Path).RequirePermission(Permissions.Dashboard);
        app.MapGet(LoginPath, () => TypedResults.Content(LoginPage, "text/html; charset=utf-8"))
            .WithName("dashboard_login_page").WithMetadata(AnonymousAccess.Instance);
        app.MapPost(LoginPath, LoginAsync)
            .WithName("dashboard_login").WithMetadata(AnonymousAccess.Instance).DisableAntiforgery()
            .AddEndpointFilter(RefuseAnotherOrigin);
        app.MapPost(LogoutPath, Logout)
            .WithName("dashboard_logout").WithMetadata(AnonymousAccess.Instance).DisableAntiforgery()
            .AddEndpointFilter(RefuseAnotherOrigin);
        return app;
    }

    /// <summary>
    /// Sign-in and sign-out only from the dashboard's own pages, or from a tool. Any site's page can make a browser
    /// post a form here: with the operator's browser signed in under the attacker's token (login CSRF), what the
    /// operator then does or reads in the dashboard is under the attacker's session, and a forced sign-out is a
    /// nuisance. Neither route needs a credential, so the cookie's SameSite does not guard them; the browser's own
    /// account of where the request comes from does (<see cref="RequestOrigin.FromAnotherOrigin"/>): such a request
    /// is refused 403 before its body is read, and nothing is set or cleared.
    /// </summary>
    private static async ValueTask<object?> RefuseAnotherOrigin(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next) =>
        RequestOrigin.FromAnotherOrigin(invocation.HttpContext.Request)
            ? TypedResults.Json(
                new HzApiErrorModel(AuthSuccess: false, AuthErrorCode.CrossSite, "Sign-in and sign-out are not accepted from another site's page: open the dashboard's own sign-in page"),
                statusCode: StatusCodes.Status403Forbidden)
            : await next(invocation);

    /// <summary>
    /// A form field <c>token</c> (the access token, with or without <c>Bearer </c>): a token that is valid and
    /// holds <c>ops:dashboard</c> sets the cookie and redirects to the dashboard; anything else is the same 403
    /// the dashboard itself would answer, and sets nothing.
    /// </summary>
    private static async Task<IResult> LoginAsync(HttpContext context, JwtValidator validator)
    {
        string? token = null;
        if (context.Request.HasFormContentType)
        {
            // Anyone may post here: read no more than a form holding the longest token the validator takes.
            // A larger form could only carry a token it refuses as malformed, so it gets that same answer.
            if (context.Request.ContentLength > MaxLoginFormBytes)
            {
                return OversizedLogin();
            }

            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = MaxLoginFormBytes;
            }

            try
            {
                var form = await context.Request.ReadFormAsync(LoginFormLimits, context.RequestAborted);
                token = form["token"].FirstOrDefault()?.Trim();
            }
            catch (Exception exception) when (exception is IOException or InvalidDataException)
            {
                // Too large, or framed so that it cannot be read (Kestrel's BadHttpRequestException, or the bare
                // IOException of a chunk size beyond 32 bits; only the body is read here): no token can be had from it.
                return OversizedLogin();
            }
        }

        var credential = string.IsNullOrEmpty(token) ? null
            : token.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? token : "Bearer " + token;
        var (accepted, rejection) = await validator.ValidateAsync(credential, context.RequestAborted);
        if (rejection is not null)
        {
            return TypedResults.Json(new HzApiErrorModel(AuthSuccess: false, rejection.ErrorCode, rejection.Description), statusCode: StatusCodes.Status403Forbidden);
        }

        if (!accepted!.Has(Permissions.Dashboard))
        {
            return TypedResults.Json(new HzApiErrorModel(AuthSuccess: true, AuthErrorCode.InsufficientPermissions, "Insufficient Permissions"), statusCode: StatusCodes.Status403Forbidden);
        }

        context.Response.Cookies.Append(CookieName, credential!, CookieOptions(context));
        // 303: the browser follows with a GET.
        context.Response.Headers.Location = (context.Request.PathBase + Path + "/").ToString();
        return TypedResults.StatusCode(StatusCodes.Status303SeeOther);
    }

    /// <summary>The most a login form may hold: twice the longest token, for the field name, a "Bearer " and escaping.</summary>
    internal const int MaxLoginFormBytes = 2 * JwtValidator.MaxTokenLength;

    private static readonly FormOptions LoginFormLimits = new()
    {
        BufferBody = false,
        ValueCountLimit = 16,
        KeyLengthLimit = 64,
        ValueLengthLimit = MaxLoginFormBytes,
        MultipartBodyLengthLimit = MaxLoginFormBytes,
        MultipartHeadersLengthLimit = 4096,
    };

    private static JsonHttpResult<HzApiErrorModel> OversizedLogin() => TypedResults.Json(
        new HzApiErrorModel(AuthSuccess: false, AuthErrorCode.MalformedAccess, "Invalid Authorization - malformed access token"),
        statusCode: StatusCodes.Status403Forbidden);

    private static RedirectHttpResult Logout(HttpContext context)
    {
        context.Response.Cookies.Delete(CookieName, CookieOptions(context));
        return TypedResults.Redirect(context.Request.PathBase + LoginPath);
    }

    /// <summary>Scoped to the dashboard, invisible to scripts, never sent cross-site, HTTPS-only when served over HTTPS.</summary>
    private static CookieOptions CookieOptions(HttpContext context) => new()
    {
        Path = context.Request.PathBase + Path,
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        IsEssential = true,
    };

    private const string LoginPage = """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Entitlements dashboard: sign in</title></head>
        <body>
        <h1>Orleans dashboard</h1>
        <p>Paste an access token that holds <code>ops:dashboard</code>. It is kept in a cookie for this browser session only.</p>
        <form method="post" action="login">
        <label>Access token <input type="password" name="token" autocomplete="off" required size="60"></label>
        <button type="submit">Open the dashboard</button>
        </form>
        </body>
        </html>
        """;
}
