using System.Text;
using Entitlements.Notifications;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Entitlements.Tests.Webhooks;

/// <summary>
/// A receiver written the way docs/notifications.md tells one to ("Verifying a request", its C# example),
/// on 127.0.0.1: it refuses with 401 a request whose signature does not verify, and otherwise applies the
/// notification once per (event id, notification) key and answers 204. <see cref="Applied"/> is what it
/// applied, for which player, in order.
/// </summary>
public sealed class VerifyingReceiver : IAsyncDisposable
{
    public const string Path = "/entitlements/webhook";

    private readonly List<(string EventId, string Notification, string Player)> _applied = [];
    private WebApplication? _app;

    public Uri Url { get; private set; } = new("http://127.0.0.1/");

    public IReadOnlyList<(string EventId, string Notification, string Player)> Applied
    {
        get
        {
            lock (_applied)
            {
                return [.. _applied];
            }
        }
    }

    public static async Task<VerifyingReceiver> StartAsync(string secret)
    {
        var receiver = new VerifyingReceiver();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost(Path, async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            if (!WebhookSignature.Verify(secret, request.Headers, body, DateTimeOffset.UtcNow))
            {
                return Results.Unauthorized();
            }

            var key = (request.Headers[WebhookHeaders.EventId].ToString(), request.Headers[WebhookHeaders.Notification].ToString());
            receiver.ApplyOnce(key, request.Headers[WebhookHeaders.Player].ToString());
            return Results.NoContent();
        });
        await app.StartAsync();
        receiver._app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.Url = new Uri(new Uri(address), Path);
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private void ApplyOnce((string EventId, string Notification) key, string player)
    {
        lock (_applied)
        {
            if (!_applied.Any(a => (a.EventId, a.Notification) == key))
            {
                _applied.Add((key.EventId, key.Notification, player));
            }
        }
    }
}
