using Entitlements.Gateway.Auth;
using Entitlements.Gateway.Hosting;

if (args.Length > 0 && args[0] == TokenCommand.Name)
{
    return TokenCommand.Run(args[1..], Console.Out, Console.Error);
}

var app = GatewayApp.Build(args);
await app.RunAsync();
return 0;
