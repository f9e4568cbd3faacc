using Entitlements.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.UseOrleans(silo => silo
    .UseEmbeddedCluster(builder.Configuration)
    .AddEntitlements(builder.Configuration));
await builder.Build().RunAsync();
