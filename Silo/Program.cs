using Entitlements.Diagnostics;
using Entitlements.Hosting;

try
{
    // Configuration files sit beside the binaries, wherever the process is started from.
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
    builder.UseOrleans(silo => silo
        .UseConfiguredCluster(builder.Configuration)
        .AddEntitlements(builder.Configuration)
        .AddEntitlementsDashboard(builder.Configuration));

    // Metrics (and traces) leave the silo over OTLP when an endpoint is configured; it serves no HTTP.
    builder.Services.AddEntitlementsTelemetry(builder.Configuration, builder.Logging);
    await builder.Build().RunAsync();
    return 0;
}
catch (Exception exception)
{
    // A start that fails (a bad setting, a database still unreachable, a configuration file that does not
    // parse) ends here; left unhandled it would abort the runtime (SIGABRT, exit 134, a core dump where they
    // are on). The whole exception is written: one thrown before the host had its loggers (reading the
    // configuration files) is recorded nowhere else, and its inner exceptions say where the file is wrong.
    Console.Error.WriteLine($"The silo stopped: {exception.Message}");
    Console.Error.WriteLine(exception);
    return 1;
}
