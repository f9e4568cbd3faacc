using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.PlayFab;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Entitlements.Tests;

/// <summary>
/// A chunked request body whose framing cannot be read is the client's fault on every surface that reads a body:
/// a chunk size too large for Kestrel (it fails with an IOException, not its BadHttpRequestException) gets the
/// same answer as a chunk size that is not hex at all, and neither writes an error to the log.
/// </summary>
public sealed class MalformedChunkedBodyTests(MalformedChunkedBodyTests.LoggedXboxGateway fixture) : IClassFixture<MalformedChunkedBodyTests.LoggedXboxGateway>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private int _entriesBefore;

    /// <summary>Chunk-size lines: three that do not fit in 32 bits, and one that is not hex (the answer the others must match).</summary>
    public static TheoryData<string> SizeLines => new() { "ffffffffffffffff", "80000000", "100000000", "zz" };

    private static JsonObject BadRequest => new()
    {
        ["auth_success"] = true,
        ["error_code"] = "bad_request",
        ["desc"] = "The HTTP request could not be read.",
    };

    private static JsonObject PlayFabInvalidParams => new()
    {
        ["code"] = 400,
        ["status"] = "BadRequest",
        ["error"] = "InvalidParams",
        ["errorCode"] = 1000,
        ["errorDetails"] = null,
        ["errorMessage"] = "The HTTP request could not be read.",
    };

    [Theory]
    [MemberData(nameof(SizeLines))]
    public async Task EventPost_UnreadableChunkSize_Returns400BadRequestAndLogsNoError(string sizeLine)
    {
        var (status, body) = await SendAsync("POST", GatewayHttp.EventsPath, sizeLine, Bearer, "application/json");

        AssertAnswer(400, BadRequest, status, body);
    }

    [Theory]
    [MemberData(nameof(SizeLines))]
    public async Task ConsumePost_UnreadableChunkSize_Returns400BadRequestAndLogsNoError(string sizeLine)
    {
        var (status, body) = await SendAsync(
            "POST", $"/inventory/v1/player/{Guid.NewGuid()}/entitlements/consume", sizeLine, Bearer, "application/json");

        AssertAnswer(400, BadRequest, status, body);
    }

    [Theory]
    [MemberData(nameof(SizeLines))]
    public async Task CatalogPut_UnreadableChunkSize_Returns400BadRequestAndLogsNoError(string sizeLine)
    {
        var (status, body) = await SendAsync(
            "PUT", $"/inventory/v1/catalog/entitlement-sku/Steam/{Unique.Name("sku")}", sizeLine, Bearer, "application/json");

        AssertAnswer(400, BadRequest, status, body);
    }

    [Theory]
    [MemberData(nameof(SizeLines))]
    public async Task DashboardLogin_UnreadableChunkSize_Returns403MalformedAsForAnyUnreadableFormAndLogsNoError(string sizeLine)
    {
        var (status, body) = await SendAsync("POST", "/dashboard/login", sizeLine, extraHeaders: "", "application/x-www-form-urlencoded");

        AssertAnswer(
            403,
            new JsonObject
            {
                ["auth_success"] = false,
                ["error_code"] = "auth_malformed_access",
                ["desc"] = "Invalid Authorization - malformed access token",
            },
            status,
            body);
    }

    [Theory]
    [MemberData(nameof(SizeLines))]
    public async Task LoginWithXbox_UnreadableChunkSize_IsInvalidParamsAndLogsNoError(string sizeLine)
    {
        var (status, body) = await SendAsync("POST", "/Client/LoginWithXbox" + PlayFabHttp.Sdk, sizeLine, extraHeaders: "", "application/json");

        AssertAnswer(400, PlayFabInvalidParams, status, body);
    }

    [Theory]
    [MemberData(nameof(SizeLines))]
    public async Task ConsumeXboxEntitlements_UnreadableChunkSize_IsInvalidParamsAndLogsNoError(string sizeLine)
    {
        var xuid = await fixture.Simulator.CreateUserAsync();
        var (ticket, _) = await fixture.Client.LoginOkAsync(await fixture.Simulator.TokenAsync(xuid));

        var (status, body) = await SendAsync(
            "POST", "/Client/ConsumeXboxEntitlements" + PlayFabHttp.Sdk, sizeLine, $"X-Authorization: {ticket}\r\n", "application/json");

        AssertAnswer(400, PlayFabInvalidParams, status, body);
    }

    private string Bearer => $"Authorization: {fixture.Client.DefaultRequestHeaders.Authorization}\r\n";

    /// <summary>A chunked request whose first chunk-size line is <paramref name="sizeLine"/>, followed by <c>{}</c> and nothing more.</summary>
    private async Task<(int Status, string Body)> SendAsync(string method, string path, string sizeLine, string extraHeaders, string contentType)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        _entriesBefore = fixture.Log.Entries.Count;
        var head = $"{method} {path} HTTP/1.1\r\nHost: localhost\r\n{extraHeaders}Content-Type: {contentType}\r\nTransfer-Encoding: chunked\r\n\r\n";
        using var tcp = await RawHttp.SendAsync(fixture.Client.BaseAddress!, head, System.Text.Encoding.ASCII.GetBytes(sizeLine + "\r\n{}"), deadline.Token);
        return await RawHttp.ReadResponseAsync(tcp.GetStream(), deadline.Token);
    }

    /// <summary>The exact answer, and no error-level line logged by the time it came (the handlers log before they answer).</summary>
    private void AssertAnswer(int expectedStatus, JsonObject expectedBody, int status, string body)
    {
        Assert.True(status == expectedStatus, $"answered {status} {body}");
        JsonAssert.Equal(expectedBody, body);
        var logged = fixture.Log.Entries.Skip(_entriesBefore).Where(entry => entry.Level >= LogLevel.Error).ToList();
        Assert.True(logged.Count == 0, "logged at error level:\n" + string.Join("\n", logged));
    }

    /// <summary>The Xbox-configured gateway (so that a session ticket can be had), with what it logs kept.</summary>
    public sealed class LoggedXboxGateway : XboxGatewayFixture
    {
        public LogCapture Log { get; } = new();

        protected override void ConfigureServices(IServiceCollection services) => Log.AddTo(services);
    }
}
