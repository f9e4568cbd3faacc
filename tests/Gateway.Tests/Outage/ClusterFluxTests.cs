using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Gateway.Hosting;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.Outage;

/// <summary>
/// A grain call that fails with one of the Orleans runtime's own exceptions. While membership changes (a
/// silo killed), a silo that cannot address a call sends back the exception it met, for example a plain
/// <see cref="OrleansException"/> saying the grain directory is not stable; the gateway then sees that
/// exception, not a message rejection. It is the cluster in flux, not the request: a 503 to retry.
/// </summary>
public sealed class ClusterFluxTests(ClusterFluxTests.Fixture fixture) : IClassFixture<ClusterFluxTests.Fixture>
{
    private readonly HttpClient _client = fixture.Client;

    /// <summary>
    /// The runtime's own failures while membership changes: a plain <see cref="OrleansException"/> saying the grain
    /// directory is not stable, and the <see cref="TaskCanceledException"/> a silo sends back when it gives up
    /// registering the player's activation in a changing directory (the client cancelled nothing; it was a 500).
    /// </summary>
    public static TheoryData<Exception> ClusterInFlux() => new()
    {
        new OrleansException("The grain directory is not stable for this grain; retry later."),
        new TaskCanceledException("A task was canceled."),
    };

    [Theory]
    [MemberData(nameof(ClusterInFlux))]
    public async Task PlayerCallFailingWithTheClusterInFlux_Post_Is503ToRetry_AndTheRetryGrantsOnce(Exception failure)
    {
        var player = await _client.CreatePlayerAsync();
        var body = EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"));
        fixture.Failures[player.Uuid] = failure;

        var refused = await _client.PostEventAsync(body);
        Assert.True(refused.Status == HttpStatusCode.ServiceUnavailable, $"expected 503, got {refused}");
        JsonAssert.Equal(
            new JsonObject { ["auth_success"] = true, ["error_code"] = "service_unavailable", ["desc"] = "The service is temporarily unavailable; retry later." },
            refused.BodyObject);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        fixture.Failures.TryRemove(player.Uuid, out _);
        Assert.Empty(await _client.EntitlementsOkAsync(player.Uuid));

        await _client.PostEventOkAsync(body);
        Assert.Equal(100, Assert.Single(await _client.EntitlementsOkAsync(player.Uuid))!["useCount"]!.GetValue<long>());
    }

    [Fact]
    public async Task PlayerCallFailingWithAProgramError_Post_Is500()
    {
        var player = await _client.CreatePlayerAsync();
        fixture.Failures[player.Uuid] = new GrainExtensionNotInstalledException("No such extension.");

        var failed = await _client.PostEventAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));

        Assert.True(failed.Status == HttpStatusCode.InternalServerError, $"expected 500, got {failed}");
        Assert.Equal("internal_error", failed.BodyObject["error_code"]!.GetValue<string>());
        Assert.Null(failed.Headers.RetryAfter);
    }

    public static TheoryData<Exception, bool> Exceptions() => new()
    {
        { new OrleansException("directory not stable"), true },
        { new SiloUnavailableException("the target silo became unavailable"), true },
        { new GatewayTooBusyException(), true },
        { new Orleans.Runtime.Messaging.ConnectionFailedException("refused"), true },
        { new TimeoutException("response did not arrive on time"), true },
        { new TaskCanceledException("a task was canceled"), true },
        { new InvalidOperationException("outer", new OperationCanceledException()), true },
        { new InvalidOperationException("outer", new OrleansException("directory not stable")), true },
        { new GrainExtensionNotInstalledException("no extension"), false },
        { new InvalidOperationException("a bug"), false },
        { new ArgumentException("a bug"), false },
    };

    [Theory]
    [MemberData(nameof(Exceptions))]
    public void Classification(Exception exception, bool unavailable) =>
        Assert.Equal(unavailable, Unavailability.IsUnavailable(exception, CancellationToken.None));

    [Fact]
    public void Classification_CancellationOfARequestTheClientAborted_IsNotTheCluster()
    {
        using var aborted = new CancellationTokenSource();
        aborted.Cancel();

        Assert.False(Unavailability.IsUnavailable(new TaskCanceledException("the client went away"), aborted.Token));
        Assert.True(Unavailability.IsUnavailable(new TimeoutException("response did not arrive on time"), aborted.Token));
    }

    /// <summary>A gateway whose player grain calls fail, for the players in <see cref="Failures"/>, with the exception given there.</summary>
    public sealed class Fixture : GatewayFixture
    {
        public ConcurrentDictionary<Guid, Exception> Failures { get; } = new();

        protected override void ConfigureServices(IServiceCollection services) =>
            services.AddSingleton<IIncomingGrainCallFilter>(new FailingPlayerCalls(Failures));
    }

    /// <summary>Fails a call to a player grain in <paramref name="failures"/> with the exception given there, before the grain runs.</summary>
    internal sealed class FailingPlayerCalls(ConcurrentDictionary<Guid, Exception> failures) : IIncomingGrainCallFilter
    {
        public Task Invoke(IIncomingGrainCallContext context) =>
            context.Grain is IPlayerGrain && failures.TryGetValue(context.TargetId.GetGuidKey(), out var failure)
                ? Task.FromException(failure)
                : context.Invoke();
    }
}
