using System.Collections.Concurrent;
using System.Net;
using Entitlements.Gateway.Apis;
using Entitlements.Gateway.Hosting;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.PlayFab;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Entitlements.Tests.Outage;

/// <summary>
/// What a 503 leaves in the gateway's log (docs/operations.md, "Log levels"): it is an expected answer while the
/// cluster or its storage is unavailable, so one warning line per request naming the path and the failure, without
/// the stack trace, which is logged at <c>Debug</c> with the exception.
/// </summary>
public sealed class UnavailableLogTests(UnavailableLogTests.Fixture fixture) : IClassFixture<UnavailableLogTests.Fixture>
{
    private const string Failure = "Orleans.Runtime.OrleansException: The grain directory is not stable for this grain; retry later."
        + " (innermost: System.TimeoutException: The response did not arrive on time.)";

    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task EventPost_ClusterUnavailable_LogsOneWarningLineWithoutStackAndTheExceptionAtDebug()
    {
        var player = await _client.CreatePlayerAsync();
        fixture.Failures[player.Uuid] = ClusterTimeout();
        var before = fixture.Log.Entries.Count;

        var refused = await _client.PostEventAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));

        Assert.True(refused.Status == HttpStatusCode.ServiceUnavailable, $"expected 503, got {refused}");
        AssertLogged(
            before,
            typeof(ErrorMiddleware).FullName!,
            GatewayHttp.EventsPath,
            $"Request {GatewayHttp.EventsPath} answered 503: the cluster, its storage or the signing keys are unavailable ({Failure})");
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_ClusterUnavailable_LogsOneWarningLineWithoutStackAndTheExceptionAtDebug()
    {
        var xuid = await fixture.Simulator.CreateUserAsync();
        var token = await fixture.Simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);
        fixture.Failures[await _client.XboxPlayerAsync(xuid)] = ClusterTimeout();
        var before = fixture.Log.Entries.Count;

        var refused = await _client.ConsumeXboxAsync(ticket, token);

        PlayFabHttp.AssertError(refused, HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", 1123);
        AssertLogged(
            before,
            typeof(PlayFabClientApi).FullName!,
            "/Client/ConsumeXboxEntitlements",
            $"PlayFab request /Client/ConsumeXboxEntitlements answered ServiceUnavailable (503): the cluster or its storage is unavailable ({Failure})");
    }

    /// <summary>An Orleans exception wrapping a timeout, as a call the cluster could not answer in time fails.</summary>
    private static OrleansException ClusterTimeout() =>
        new("The grain directory is not stable for this grain; retry later.", new TimeoutException("The response did not arrive on time."));

    /// <summary>
    /// What <paramref name="category"/> logged for the request to <paramref name="path"/> since <paramref name="before"/>:
    /// exactly one warning, <paramref name="warning"/>, with no exception attached, then the exception at <c>Debug</c>.
    /// </summary>
    private void AssertLogged(int before, string category, string path, string warning)
    {
        var logged = fixture.Log.Entries.Skip(before).Where(entry => entry.Category == category && entry.Values.GetValueOrDefault("Path")?.ToString() == path).ToList();

        Assert.True(
            logged.Select(entry => entry.Level).SequenceEqual([LogLevel.Warning, LogLevel.Debug]),
            "logged for the request:\n" + string.Join("\n", logged));
        Assert.Equal(warning, logged[0].Message);
        Assert.DoesNotContain(" at ", logged[0].Message, StringComparison.Ordinal);
        Assert.Null(logged[0].Exception);
        var exception = Assert.IsType<OrleansException>(logged[1].Exception);
        Assert.IsType<TimeoutException>(exception.InnerException);
        Assert.Contains(" at ", exception.ToString(), StringComparison.Ordinal);
    }

    /// <summary>The Xbox-configured gateway (both surfaces), whose player grain calls fail on demand, with what it logs kept, 503s' Debug lines included.</summary>
    public sealed class Fixture : XboxGatewayFixture
    {
        public ConcurrentDictionary<Guid, Exception> Failures { get; } = new();

        public LogCapture Log { get; } = new();

        protected override void ConfigureServices(IServiceCollection services)
        {
            services.AddSingleton<IIncomingGrainCallFilter>(new ClusterFluxTests.FailingPlayerCalls(Failures));
            Log.AddTo(services, typeof(ErrorMiddleware).FullName!, typeof(PlayFabClientApi).FullName!);
        }
    }
}
