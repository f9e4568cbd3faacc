using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Entitlements.Tests.Auth;

/// <summary>
/// A real JWKS endpoint on 127.0.0.1 (Kestrel, port 0) serving the key set file of a <see cref="TestKeys"/>
/// as it is at each request. It can answer an error status instead (an issuer that is down), or hold its
/// requests until told to answer them; it counts the requests it got and those their sender gave up.
/// </summary>
public sealed class JwksEndpoint : IAsyncDisposable
{
    private readonly string _jwksPath;
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;
    private volatile int _failWith;
    private volatile TaskCompletionSource? _hold;
    private int _requests;
    private int _abandoned;

    private JwksEndpoint(string jwksPath) => _jwksPath = jwksPath;

    public Uri Url { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Requests received, answered or not.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Requests whose sender went away before they were answered.</summary>
    public int Abandoned => Volatile.Read(ref _abandoned);

    public static async Task<JwksEndpoint> StartAsync(TestKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var endpoint = new JwksEndpoint(keys.JwksPath);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/.well-known/jwks.json", endpoint.HandleAsync);
        await app.StartAsync();
        endpoint._app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        endpoint.Url = new Uri(new Uri(address), "/.well-known/jwks.json");
        return endpoint;
    }

    /// <summary>Answer every request with <paramref name="status"/> and no key set, until <see cref="Recover"/>.</summary>
    public void FailWith(int status) => _failWith = status;

    public void Recover() => _failWith = 0;

    /// <summary>Keep every request waiting, until <see cref="Release"/> or until its sender goes away.</summary>
    public void Hold() => _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => Interlocked.Exchange(ref _hold, null)?.TrySetResult();

    /// <summary>Wait until <paramref name="count"/> requests have arrived, or fail after 30 seconds.</summary>
    public async Task WaitForRequestsAsync(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Requests < count)
        {
            var left = deadline - DateTime.UtcNow;
            Assert.True(left > TimeSpan.Zero, $"{count} requests for the key set did not arrive; {Requests} did");
            await _arrived.WaitAsync(left < TimeSpan.FromMilliseconds(250) ? left : TimeSpan.FromMilliseconds(250));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        Release();
        if (_app is { } app)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        _stopping.Dispose();
        _arrived.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        _arrived.Release();
        if (_hold is { } hold)
        {
            using var both = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
            await hold.Task.WaitAsync(both.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        if (context.RequestAborted.IsCancellationRequested)
        {
            Interlocked.Increment(ref _abandoned);
            return;
        }

        if (_failWith is > 0 and var status)
        {
            context.Response.StatusCode = status;
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(await File.ReadAllTextAsync(_jwksPath, CancellationToken.None), CancellationToken.None);
    }
}
