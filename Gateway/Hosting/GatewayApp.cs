using Entitlements.Diagnostics;
using Entitlements.Gateway.AccelByte;
using Entitlements.Gateway.Apis;
using Entitlements.Gateway.Auth;
using Entitlements.Gateway.Diagnostics;
using Entitlements.Gateway.Notifications;
using Entitlements.Gateway.OpenApi;
using Entitlements.Gateway.PlayFab;
using Entitlements.Gateway.RallyHere;
using Entitlements.Gateway.Validation;
using Entitlements.Gateway.Xbox;
using Entitlements.Hosting;

namespace Entitlements.Gateway.Hosting;

/// <summary>
/// Builds the gateway. In the embedded default the process also hosts a silo: localhost clustering, the
/// SQLite store in the data directory, and the entitlement grains. In cluster mode it is an Orleans
/// client of separate silos (<see cref="ClusterModeHosting"/>).
/// </summary>
public static class GatewayApp
{
    public const string DefaultUrl = "http://localhost:5080";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Configuration files sit beside the binaries, wherever the process is started from.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        ConfigureKestrel(builder);
        var (auth, telemetry) = builder.AddGatewayServices();

        var app = builder.Build();
        app.UseGatewayMiddleware(auth);
        app.MapGatewayApis(auth, telemetry);
        return app;
    }

    /// <summary>
    /// Orleans (a silo in the embedded default, a client in cluster mode) and every service the routes use.
    /// Returns the settings the middleware and the routes are set up with.
    /// </summary>
    public static (AuthOptions Auth, TelemetryOptions Telemetry) AddGatewayServices(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddOrleans(
            silo => silo.AddEntitlementsDashboard(builder.Configuration),
            client => client.AddEntitlementsDashboard(builder.Configuration));
        // Every section is bound and checked when the host starts: a value that does not parse or is out of
        // range stops the start with its key, rather than answering 500 to every call that reads it.
        builder.Services.AddOptions<AccelByteOptions>().Bind(builder.Configuration.GetSection(AccelByteOptions.SectionName)).ValidateOnStart();
        builder.Services.AddNotificationPush(builder.Configuration);
        var auth = builder.AddGatewayAuth();
        builder.Services.AddOptions<PlayFabOptions>().Bind(builder.Configuration.GetSection(PlayFabOptions.SectionName))
            .Validate(o => o.SessionTicketLifetimeMinutes >= 1, "PlayFab:SessionTicketLifetimeMinutes must be at least 1.")
            .Validate(o => double.IsFinite(o.LoginsPerSecondPerAddress) && o.LoginsPerSecondPerAddress >= 0, "PlayFab:LoginsPerSecondPerAddress must be a finite number, not negative (0 turns the limit off).")
            .Validate(o => o.LoginBurstPerAddress >= 1, "PlayFab:LoginBurstPerAddress must be at least 1.")
            .Validate(o => double.IsFinite(o.ConsumesPerSecondPerPlayer) && o.ConsumesPerSecondPerPlayer >= 0, "PlayFab:ConsumesPerSecondPerPlayer must be a finite number, not negative (0 turns the limit off).")
            .Validate(o => o.ConsumeBurstPerPlayer >= 1, "PlayFab:ConsumeBurstPerPlayer must be at least 1.")
            .ValidateOnStart();
        var xbox = builder.Configuration.GetSection(XboxTokenOptions.SectionName);
        builder.Services.AddOptions<XboxTokenOptions>().Bind(xbox)
            .Validate(_ => ConfigurationLists.HoldsNoPlainValue(xbox, nameof(XboxTokenOptions.AllowedSandboxes)), ConfigurationLists.Refusal($"{XboxTokenOptions.SectionName}:{nameof(XboxTokenOptions.AllowedSandboxes)}"))
            .Validate(o => o.ClockSkewSeconds >= 0, "Xbox:ClockSkewSeconds must not be negative.")
            .ValidateOnStart();
        builder.Services.AddSingleton<XstsTokenValidator>();
        builder.Services.AddSingleton<PlayFabRateLimits>();

        // The entitlement-event routes' one grain, referenced once: every GetGrain<T> call makes Orleans
        // read the interface's attributes again, a measurable share of a grant's CPU.
        builder.Services.AddSingleton(services => services.GetRequiredService<IGrainFactory>().GetGrain<IEntitlementEventsGrain>(0));
        builder.Services.AddOptions<EntitlementEventPageCacheOptions>().Bind(builder.Configuration.GetSection(EntitlementEventPageCacheOptions.SectionName))
            .Validate(o => o.PageCacheMegabytes >= 0, "EntitlementEvents:PageCacheMegabytes must not be negative (0 turns the cache off).")
            .ValidateOnStart();
        builder.Services.AddSingleton<EntitlementEventPageCache>();
        var telemetry = builder.AddGatewayTelemetry();
        builder.Services.AddGatewayHealth();
        builder.AddApiDocs();
        return (auth, telemetry);
    }

    /// <summary>The middleware every request passes through before its route, in order.</summary>
    public static WebApplication UseGatewayMiddleware(this WebApplication app, AuthOptions auth)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<ErrorMiddleware>();
        // Before anything reads the query: escapes that are not UTF-8 decoded as the peers' servers decode them.
        app.Use((context, next) =>
        {
            PercentDecoding.DecodeQuery(context);
            return next(context);
        });
        app.UseNotificationPush();
        app.UseMiddleware<PlayFabRequestIdMiddleware>();
        app.UseRouting();
        // Before authentication: a preflight carries no credentials.
        app.UseAllowedOriginsCors(auth);
        // Before authentication: an over-long URL or oversized headers are refused whoever sends them, and
        // after CORS, so that a listed origin's page can read the refusal.
        app.UseMiddleware<RequestHeadLimitMiddleware>();
        app.UseMiddleware<AuthMiddleware>();
        return app;
    }

    /// <summary>Every route: the peer surfaces, ours, the operator's, health, metrics and the API document.</summary>
    public static WebApplication MapGatewayApis(this WebApplication app, AuthOptions auth, TelemetryOptions telemetry)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(auth);
        if (auth.DevelopmentIssuerEnabled)
        {
            app.MapDevelopmentIssuer();
        }

        app.MapEntitlementEventsApi();
        app.MapCatalogApi();
        app.MapPlatformUsersApi();
        app.MapPlayerEntitlementsApi();
        app.MapWebhooksApi();
        app.MapBackupsApi();
        app.MapNotificationsApi();
        app.MapPlayFabClientApi();
        app.MapGatewayHealth();
        app.MapMetrics(telemetry);
        app.MapOperatorDashboard(app.Configuration);
        app.MapApiDocs();
        return app;
    }

    /// <summary>The documented default URL unless one is configured, and Kestrel's limits raised to the gateway's own.</summary>
    private static void ConfigureKestrel(WebApplicationBuilder builder)
    {
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey])
            && string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.HttpPortsKey])
            && string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.HttpsPortsKey])
            && !builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            // --urls, ASPNETCORE_URLS, ASPNETCORE_HTTP_PORTS / HTTPS_PORTS (set by Microsoft's ASP.NET images) and
            // Kestrel endpoints win; this is only the documented default.
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.WebHost.ConfigureKestrel(RequestHeadLimitMiddleware.RaiseKestrelLimits);
    }
}
