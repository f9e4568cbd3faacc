using System.Globalization;

namespace Entitlements.Gateway.PlayFab;

/// <summary>Every answer on the PlayFab surface (<c>/Client/...</c>, any case) carries an <c>X-RequestId</c>.</summary>
public sealed class PlayFabRequestIdMiddleware(RequestDelegate next)
{
    public const string Header = "X-RequestId";

    /// <summary>Where the PlayFab surface is, matched in any case (PlayFab's clients also send <c>/client/...</c>).</summary>
    public static readonly PathString SurfacePath = new("/Client");

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments(SurfacePath, StringComparison.OrdinalIgnoreCase))
        {
            context.Response.Headers[Header] = Guid.NewGuid().ToString("D", CultureInfo.InvariantCulture);
        }

        return next(context);
    }
}
