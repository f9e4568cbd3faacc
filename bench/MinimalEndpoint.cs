using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Entitlements.Bench;

/// <summary>
/// <c>Bench.dll kestrel --urls http://127.0.0.1:PORT --body-bytes N</c>: the smallest Kestrel app that
/// answers <c>POST /entitlement-event</c> with a JSON body of N bytes (the size of the gateway's answer
/// to a grant), run as its own process so that it is measured exactly as the gateway is. Its rate is
/// the ceiling of this machine's HTTP stack under the harness's load generator.
/// </summary>
internal static class MinimalEndpoint
{
    public const string Command = "kestrel";

    public static async Task<int> RunAsync(string[] args)
    {
        var urls = "http://127.0.0.1:5099";
        var bodyBytes = 600;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--urls":
                    urls = args[i + 1];
                    break;
                case "--body-bytes":
                    bodyBytes = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                default:
                    await Console.Error.WriteLineAsync($"unknown argument {args[i]}");
                    return 2;
            }
        }

        var body = Body(bodyBytes);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls(urls);
        var app = builder.Build();
        app.MapPost("/entitlement-event", async (HttpContext context) =>
        {
            // Read the request as the gateway does, then answer a ready JSON body.
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            _ = await reader.ReadToEndAsync(context.RequestAborted);
            context.Response.ContentType = "application/json; charset=utf-8";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        });
        app.MapGet("/ready", () => Results.Ok());
        await app.RunAsync();
        return 0;
    }

    /// <summary><c>{"pad":"xxx..."}</c>, exactly <paramref name="size"/> bytes (at least the wrapper's 10).</summary>
    private static byte[] Body(int size)
    {
        var pad = Math.Max(0, size - """{"pad":""}""".Length);
        return Encoding.UTF8.GetBytes($$"""{"pad":"{{new string('x', pad)}}"}""");
    }
}
