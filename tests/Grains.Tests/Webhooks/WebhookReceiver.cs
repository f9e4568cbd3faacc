using System.Globalization;
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
/// A real HTTP endpoint on 127.0.0.1 (Kestrel, port 0) that records every webhook request and answers
/// 200, unless told to answer the next requests for a (path, player) with a status, or to stall them
/// until the sender gives up. Rules are per path and player so that tests sharing it do not meet.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly List<ReceivedWebhook> _requests = [];
    private readonly Dictionary<(string Path, string Player), Queue<Func<HttpContext, Task<int>>>> _rules = [];
    private readonly Dictionary<(string Path, string Player), int> _arrivals = [];
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/{**path}", receiver.HandleAsync);
        await app.StartAsync();
        receiver._app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.BaseAddress = new Uri(address + "/");
        return receiver;
    }

    public Uri Url(string path) => new(BaseAddress, path);

    /// <summary>Answer the next <paramref name="count"/> requests to <paramref name="path"/> for <paramref name="player"/> with <paramref name="status"/>.</summary>
    public void FailNext(string path, Guid player, int count, int status, string? retryAfter = null)
    {
        for (var i = 0; i < count; i++)
        {
            Add(path, player, context =>
            {
                if (retryAfter is not null)
                {
                    context.Response.Headers.RetryAfter = retryAfter;
                }

                return Task.FromResult(status);
            });
        }
    }

    /// <summary>Answer the next request to <paramref name="path"/> for <paramref name="player"/> with the redirect <paramref name="status"/> to <paramref name="location"/>.</summary>
    public void RedirectNext(string path, Guid player, int status, Uri location) =>
        Add(path, player, context =>
        {
            context.Response.Headers.Location = location.ToString();
            return Task.FromResult(status);
        });

    /// <summary>
    /// Drop the connection of the next request to <paramref name="path"/> for <paramref name="player"/> once
    /// its body has been read, answering nothing; it is recorded with status 0.
    /// </summary>
    public void AbortNext(string path, Guid player) =>
        Add(path, player, context =>
        {
            context.Abort();
            return Task.FromResult(0);
        });

    /// <summary>Hold the next <paramref name="count"/> requests to <paramref name="path"/> for <paramref name="player"/> open until the sender aborts them.</summary>
    public void StallNext(string path, Guid player, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Add(path, player, async context =>
            {
                using var both = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
                await Task.Delay(Timeout.InfiniteTimeSpan, both.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                return StatusCodes.Status504GatewayTimeout;
            });
        }
    }

    /// <summary>Forget the rules not used yet for a path and player.</summary>
    public void Clear(string path, Guid player)
    {
        lock (_rules)
        {
            _rules.Remove((Normalize(path), player.ToString("D")));
        }
    }

    /// <summary>Every request to <paramref name="path"/> for <paramref name="player"/>, in arrival order.</summary>
    public IReadOnlyList<ReceivedWebhook> Requests(string path, Guid player)
    {
        var key = player.ToString("D");
        lock (_requests)
        {
            return [.. _requests.Where(r => r.Path == Normalize(path) && r.Headers.GetValueOrDefault(WebhookHeaders.Player.ToLowerInvariant()) == key)];
        }
    }

    /// <summary>Wait until <paramref name="count"/> requests to a path for a player have arrived, answered or not.</summary>
    public async Task WaitForArrivalsAsync(string path, Guid player, int count, TimeSpan? timeout = null)
    {
        var key = (Normalize(path), player.ToString("D"));
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            lock (_arrivals)
            {
                if (_arrivals.GetValueOrDefault(key) >= count)
                {
                    return;
                }
            }

            var left = deadline - DateTime.UtcNow;
            Assert.True(left > TimeSpan.Zero, $"{count} requests to {path} for {player} did not arrive");
            await _arrived.WaitAsync(left < TimeSpan.FromMilliseconds(250) ? left : TimeSpan.FromMilliseconds(250));
        }
    }

    /// <summary>The requests answered 2xx, in arrival order.</summary>
    public IReadOnlyList<ReceivedWebhook> Delivered(string path, Guid player) => [.. Requests(path, player).Where(r => r.Status is >= 200 and < 300)];

    /// <summary>Wait until <paramref name="condition"/> holds for the requests to a path for a player, or fail after <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitAsync(string path, Guid player, Func<IReadOnlyList<ReceivedWebhook>, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var requests = Requests(path, player);
            if (condition(requests))
            {
                return requests;
            }

            var left = deadline - DateTime.UtcNow;
            Assert.True(left > TimeSpan.Zero, $"the receiver did not see the expected requests to {path} for {player}; it saw {requests.Count}: {string.Join(", ", requests.Select(r => $"{r.Header(WebhookHeaders.Notification)}/{r.Status}"))}");
            await _arrived.WaitAsync(left < TimeSpan.FromMilliseconds(250) ? left : TimeSpan.FromMilliseconds(250));
        }
    }

    /// <summary>Wait until <paramref name="count"/> requests to a path for a player were answered 2xx.</summary>
    public Task<IReadOnlyList<ReceivedWebhook>> WaitForDeliveredAsync(string path, Guid player, int count, TimeSpan? timeout = null) =>
        WaitAsync(path, player, requests => requests.Count(r => r.Status is >= 200 and < 300) >= count, timeout)
            .ContinueWith(t => (IReadOnlyList<ReceivedWebhook>)[.. t.Result.Where(r => r.Status is >= 200 and < 300)], TaskScheduler.Default);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_app is { } app)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        _stopping.Dispose();
        _arrived.Dispose();
    }

    private static string Normalize(string path) => "/" + path.TrimStart('/');

    private void Add(string path, Guid player, Func<HttpContext, Task<int>> rule)
    {
        lock (_rules)
        {
            var key = (Normalize(path), player.ToString("D"));
            if (!_rules.TryGetValue(key, out var queue))
            {
                _rules[key] = queue = new Queue<Func<HttpContext, Task<int>>>();
            }

            queue.Enqueue(rule);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        headers["content-type"] = request.ContentType ?? string.Empty;
        var path = request.Path.Value ?? "/";
        var player = headers.GetValueOrDefault(WebhookHeaders.Player.ToLowerInvariant()) ?? string.Empty;
        lock (_arrivals)
        {
            _arrivals[(path, player)] = _arrivals.GetValueOrDefault((path, player)) + 1;
        }

        _arrived.Release();
        Func<HttpContext, Task<int>>? rule = null;
        lock (_rules)
        {
            if (_rules.TryGetValue((path, player), out var queue) && queue.Count > 0)
            {
                rule = queue.Dequeue();
            }
        }

        var received = DateTimeOffset.UtcNow;
        var status = rule is null ? StatusCodes.Status200OK : await rule(context);
        lock (_requests)
        {
            _requests.Add(new ReceivedWebhook(path, headers, body, received, status));
        }

        _arrived.Release();
        if (!context.RequestAborted.IsCancellationRequested)
        {
            context.Response.StatusCode = status;
            await context.Response.WriteAsync(status.ToString(CultureInfo.InvariantCulture), CancellationToken.None);
        }
    }
}
