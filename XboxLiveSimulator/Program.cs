using Entitlements.XboxLiveSimulator;

try
{
    var app = SimulatorApp.Build(args);
    await app.RunAsync();
    return 0;
}
catch (Exception exception)
{
    // A start that fails (a bad setting, a seed file that does not parse) says why and exits 1, instead of
    // letting the exception abort the runtime (SIGABRT, exit 134).
    Console.Error.WriteLine($"The Xbox Live simulator stopped: {exception.Message}");
    Console.Error.WriteLine(exception);
    return 1;
}
