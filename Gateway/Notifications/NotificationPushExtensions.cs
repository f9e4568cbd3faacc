using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Entitlements.Gateway.Notifications;

public static class NotificationPushExtensions
{
    /// <summary>The hub, its one stream subscription (started after the co-hosted silo), and the push sessions.</summary>
    public static IServiceCollection AddNotificationPush(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PushOptions>().Bind(configuration.GetSection(PushOptions.SectionName))
            .Validate(o => o.BufferSize >= 1, "Notifications:Push:BufferSize must be at least 1.")
            .Validate(o => o.HeartbeatSeconds is >= 1 and <= PushOptions.MaxSeconds, "Notifications:Push:HeartbeatSeconds must be from 1 to 86400.")
            .Validate(o => o.PingTimeoutSeconds is >= 1 and <= PushOptions.MaxSeconds, "Notifications:Push:PingTimeoutSeconds must be from 1 to 86400.")
            .Validate(o => o.SendTimeoutSeconds is >= 1 and <= PushOptions.MaxSeconds, "Notifications:Push:SendTimeoutSeconds must be from 1 to 86400.")
            .Validate(o => o.MaxConnectionsPerPlayer >= 1, "Notifications:Push:MaxConnectionsPerPlayer must be at least 1.")
            .ValidateOnStart();
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<PushMetrics>();
        services.AddSingleton<NotificationHub>();
        services.AddSingleton<PushSession>();
        services.AddHostedService<NotificationHubSubscription>();
        return services;
    }

    /// <summary>
    /// WebSocket upgrades, with the server's keep-alive pings at the heartbeat interval: a client that does not answer
    /// one with a pong within the ping timeout is aborted. Without a timeout, .NET sends unsolicited pongs instead,
    /// which no client answers, and a dead client would be noticed only by a send that times out.
    /// </summary>
    public static IApplicationBuilder UseNotificationPush(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.ApplicationServices.GetRequiredService<IOptions<PushOptions>>().Value;
        return app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = options.Heartbeat, KeepAliveTimeout = options.PingTimeout });
    }
}
