using Entitlements.XboxLiveSimulator;

var app = SimulatorApp.Build(args);
await app.RunAsync();
