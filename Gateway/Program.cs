using Entitlements.Gateway.Auth;
using Entitlements.Gateway.Hosting;

if (args.Length > 0 && args[0] == TokenCommand.Name)
{
    return TokenCommand.Run(args[1..], Console.Out, Console.Error);
}

try
{
    var app = GatewayApp.Build(args);
    await app.RunAsync();
    return 0;
}
catch (Exception exception)
{
    // A start that fails (a bad setting, a database still unreachable) has been logged in full by the host;
    // leaving it unhandled would abort the runtime (SIGABRT, exit 134, a core dump where they are on).
    Console.Error.WriteLine($"The gateway stopped: {exception.Message}");
    return 1;
}
