using Entitlements;
using Entitlements.Notifications;
using Entitlements.Samples.GameService;
using Npgsql;

// A game service inside the cluster: an Orleans client that follows every player's entitlement
// notifications and writes each one as a JSON line on standard output (logs go to standard error).
try
{
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
    builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
    builder.UseOrleansClient(client => client
        .UseEntitlementsCluster(builder.Configuration)
        .AddMemoryStreams(NotificationStreams.ProviderName)
        .ConfigureServices(services => services.AddRuntimeExceptionSerialization())
        .AddActivityPropagation());
    builder.Services.Configure<FollowerOptions>(builder.Configuration.GetSection(FollowerOptions.SectionName));
    builder.Services.AddSingleton(Console.Out);
    builder.Services.AddHostedService<NotificationFollower>();
    await builder.Build().RunAsync();
    return 0;
}
catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UndefinedTable)
{
    // Cluster mode, on a database where no silo has started yet: the silos create Orleans' tables, a client
    // only reads them, and Orleans does not wait for them (it retries only while it finds no gateway).
    Console.Error.WriteLine(
        "The game service stopped: the cluster's database has no Orleans tables yet. The silos create them when they start; " +
        "start the cluster first, or check Storage:ConnectionString.");
    Console.Error.WriteLine(exception);
    return 1;
}
catch (Exception exception)
{
    // A start that fails (a bad setting) says why and exits 1, instead of letting the exception abort the
    // runtime (SIGABRT, exit 134).
    Console.Error.WriteLine($"The game service stopped: {exception.Message}");
    Console.Error.WriteLine(exception);
    return 1;
}
