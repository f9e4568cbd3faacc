using Entitlements.Diagnostics;
using Entitlements.Hosting;

// Configuration files sit beside the binaries, wherever the process is started from.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.UseOrleans(silo => silo
    .UseConfiguredCluster(builder.Configuration)
    .AddEntitlements(builder.Configuration)
    .AddEntitlementsDashboard(builder.Configuration));

// Metrics (and traces) leave the silo over OTLP when an endpoint is configured; it serves no HTTP.
builder.Services.AddEntitlementsTelemetry(builder.Configuration, builder.Logging);
await builder.Build().RunAsync();
