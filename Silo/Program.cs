using Entitlements.Hosting;

// Configuration files sit beside the binaries, wherever the process is started from.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.UseOrleans(silo => silo
    .UseConfiguredCluster(builder.Configuration)
    .AddEntitlements(builder.Configuration));
await builder.Build().RunAsync();
