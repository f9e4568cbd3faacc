using Entitlements;
using Entitlements.Notifications;
using Entitlements.Samples.GameService;

// A game service inside the cluster: an Orleans client that follows every player's entitlement
// notifications and writes each one as a JSON line on standard output (logs go to standard error).
try
{
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
    builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
    var orleans = builder.Configuration.GetSection("Orleans");
    builder.UseOrleansClient(client => client
        .UseLocalhostClustering(
            gatewayPort: orleans.GetValue("GatewayPort", 30000),
            serviceId: orleans["ServiceId"] ?? "entitlements",
            clusterId: orleans["ClusterId"] ?? "entitlements")
        .AddMemoryStreams(NotificationStreams.ProviderName)
        .ConfigureServices(services => services.AddRuntimeExceptionSerialization())
        .AddActivityPropagation());
    builder.Services.Configure<FollowerOptions>(builder.Configuration.GetSection(FollowerOptions.SectionName));
    builder.Services.AddSingleton(Console.Out);
    builder.Services.AddHostedService<NotificationFollower>();
    await builder.Build().RunAsync();
    return 0;
}
catch (Exception exception)
{
    // A start that fails (a bad setting) says why and exits 1, instead of letting the exception abort the
    // runtime (SIGABRT, exit 134).
    Console.Error.WriteLine($"The game service stopped: {exception.Message}");
    Console.Error.WriteLine(exception);
    return 1;
}
