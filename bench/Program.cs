using Entitlements.Bench;

if (args.Length > 0 && args[0] == MinimalEndpoint.Command)
{
    return await MinimalEndpoint.RunAsync(args[1..]);
}

return await Harness.RunAsync(args, Console.Out);
