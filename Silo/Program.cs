using Entitlements.Diagnostics;
using Entitlements.Hosting;

// Set once the host exists: whether a stop (SIGTERM, Ctrl+C) has been asked for. Read from the token, not
// from a callback, which may run only after the cancelled start has already reached the catch below.
var stopping = CancellationToken.None;
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
    var host = builder.Build();
    stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
    await host.RunAsync();
    // 0 after a stop that was asked for; 1 set by a part that had to stop the silo itself (an embedded silo
    // whose PostgreSQL lock another process took).
    return Environment.ExitCode;
}
catch (OperationCanceledException) when (stopping.IsCancellationRequested)
{
    // Asked to stop (SIGTERM, Ctrl+C) while starting, e.g. while it waited for its database: the start is
    // cancelled, which is the stop that was asked for, not a failure.
    Console.Error.WriteLine("The silo was asked to stop while it was starting, and stopped.");
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
