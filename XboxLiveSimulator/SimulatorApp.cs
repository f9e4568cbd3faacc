using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Entitlements.XboxLiveSimulator;

/// <summary>
/// A local stand-in for the Xbox Live collections service, speaking its HTTP: the query and consume
/// calls with a delegated <c>XBL3.0</c> credential, plus admin routes to seed users and items, flip
/// faults and issue a test user's XboxToken.
/// </summary>
public static class SimulatorApp
{
    public const string DefaultUrl = "http://localhost:5090";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.Configure<SimulatorOptions>(builder.Configuration.GetSection(SimulatorOptions.SectionName));
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase);
        // A host that embeds the simulator (a test) may give it a clock of its own.
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SimulatorKeys>();
        builder.Services.AddSingleton<XstsTokens>();
        builder.Services.AddSingleton<CollectionsState>();

        var app = builder.Build();
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SimulatorOptions>>().Value;
        var state = app.Services.GetRequiredService<CollectionsState>();
        _ = app.Services.GetRequiredService<SimulatorKeys>();
        if (!string.IsNullOrEmpty(options.SeedFile))
        {
            var seed = Path.IsPathRooted(options.SeedFile) ? options.SeedFile : Path.Combine(AppContext.BaseDirectory, options.SeedFile);
            if (File.Exists(seed))
            {
                state.Seed(seed, Json);
            }
        }

        app.MapPost("/v8.0/collections/b2bLicensePreview", QueryAsync);
        app.MapPost("/v8.0/collections/consume", ConsumeAsync);
        app.MapPut("/admin/users/{xuid}", (string xuid, SimulatedUser user, CollectionsState s) => TypedResults.Ok(s.Put(user with { Xuid = xuid })));
        app.MapPost("/admin/users/{xuid}/items", (string xuid, List<SimulatedItem> items, CollectionsState s) =>
            s.AddItems(xuid, items) is { } user ? Results.Ok(user) : Results.NotFound());
        app.MapGet("/admin/users/{xuid}", (string xuid, CollectionsState s) => s.Get(xuid) is { } user ? Results.Ok(user) : Results.NotFound());
        app.MapPost("/admin/users/{xuid}/token", (string xuid, TokenRequest? request, CollectionsState s, XstsTokens tokens) =>
            s.Get(xuid) is { } user ? Results.Ok(new { XboxToken = tokens.Issue(user, request ?? new TokenRequest()) }) : Results.NotFound());
        app.MapGet("/admin/users/{xuid}/arrivals", ArrivalsAsync);
        app.MapGet("/admin/faults", (CollectionsState s) => TypedResults.Ok(s.Faults));
        app.MapGet("/admin/consumes/held", (string? xuid, CollectionsState s) =>
        {
            if (xuid is null)
            {
                return Results.Ok(new { Held = s.ConsumesHeld });
            }

            var (held, mostAtOnce) = s.ConsumesHeldOf(xuid);
            return Results.Ok(new { Held = held, MostAtOnce = mostAtOnce });
        });
        app.MapPut("/admin/faults", (SimulatorFaults faults, CollectionsState s) =>
        {
            s.Faults = faults;
            return TypedResults.Ok(faults);
        });
        app.MapGet("/admin/keys", (SimulatorKeys keys) => TypedResults.Ok(new
        {
            RelyingPartyKeyFile = Path.Combine(keys.Directory, SimulatorKeys.RelyingPartyKeyFile),
            SigningKeysFile = Path.Combine(keys.Directory, SimulatorKeys.SigningJwksFile),
        }));
        return app;
    }

    /// <summary>
    /// The user's admitted requests, <c>{"queries", "consumes"}</c>: at once, or, with <c>queries</c> and/or
    /// <c>consumes</c>, once that many have arrived (200), waiting at most <c>waitMilliseconds</c> (default 10,000,
    /// at most 60,000), after which they answer 408 with the counts reached.
    /// </summary>
    private static async Task<IResult> ArrivalsAsync(
        string xuid, int? queries, int? consumes, int? waitMilliseconds, CollectionsState state, CancellationToken cancellationToken)
    {
        if (state.Get(xuid) is null)
        {
            return Results.NotFound();
        }

        var wait = TimeSpan.FromMilliseconds(Math.Clamp(waitMilliseconds ?? 10_000, 0, 60_000));
        var (wantQueries, wantConsumes) = (queries ?? 0, consumes ?? 0);
        var arrivals = await state.WaitForArrivalsAsync(xuid, wantQueries, wantConsumes, wait, cancellationToken);
        var reached = arrivals.Queries >= wantQueries && arrivals.Consumes >= wantConsumes;
        return Results.Json(arrivals, Json, statusCode: reached ? StatusCodes.Status200OK : StatusCodes.Status408RequestTimeout);
    }

    private static async Task<IResult> QueryAsync(HttpContext context, CollectionsState state, XstsTokens tokens)
    {
        var (xuid, refusal) = await AdmitAsync(context, state, tokens);
        if (refusal is not null)
        {
            return refusal;
        }

        await state.QueryArrivedAsync(xuid!, context.RequestAborted);

        if (state.Faults.QueryAnswerBody is { } answer)
        {
            return Results.Content(answer, "application/json");
        }

        var body = await ReadAsync(context);
        var pageSize = body?["maxPageSize"]?.GetValue<int>() is { } size and > 0 ? Math.Min(size, 1000) : 100;
        var offset = 0;
        if (body?["continuationToken"]?.GetValue<string>() is { } token)
        {
            if (!TryReadContinuation(token, out offset))
            {
                return Error(StatusCodes.Status400BadRequest, "InvalidParameter", "The continuationToken is not valid.");
            }
        }

        var (items, next) = state.Query(xuid!, offset, pageSize);
        return Results.Json(new { continuationToken = next is { } n ? WriteContinuation(n) : null, items }, Json);
    }

    private static async Task<IResult> ConsumeAsync(HttpContext context, CollectionsState state, XstsTokens tokens)
    {
        var (xuid, refusal) = await AdmitAsync(context, state, tokens);
        if (refusal is not null)
        {
            return refusal;
        }

        state.ConsumeArrived(xuid!);

        if (state.Faults.ConsumeDelayMilliseconds > 0)
        {
            using (state.HoldConsume(xuid!))
            {
                await Task.Delay(state.Faults.ConsumeDelayMilliseconds, context.RequestAborted);
            }
        }

        var body = await ReadAsync(context);
        var productId = body?["productId"]?.GetValue<string>();
        var trackingId = body?["trackingId"]?.GetValue<string>();
        if (string.IsNullOrEmpty(productId) || string.IsNullOrEmpty(trackingId))
        {
            return Error(StatusCodes.Status400BadRequest, "InvalidParameter", "productId and trackingId are required.");
        }

        if (state.Faults.RefuseConsumesWith is { } refusedWith)
        {
            state.ReceiveRefused(xuid!, trackingId);
            if (refusedWith == StatusCodes.Status429TooManyRequests)
            {
                context.Response.Headers.RetryAfter = "1";
            }

            return Error(refusedWith, "Refused", $"The consume was refused with {refusedWith.ToString(CultureInfo.InvariantCulture)}.");
        }

        var removeQuantity = body!["removeQuantity"] is { } quantity ? quantity.GetValue<long>() : (long?)null;
        var (result, code, message) = state.Consume(xuid!, productId, trackingId, removeQuantity);
        if (result is null)
        {
            return Error(code == "NotFound" ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest, code!, message!);
        }

        if (state.Faults.ConsumeAnswerBody is { } answer)
        {
            return Results.Content(answer, "application/json");
        }

        return Results.Json(new { itemId = result.ItemId, productId = result.ProductId, trackingId = result.TrackingId, newQuantity = result.NewQuantity }, Json);
    }

    /// <summary>Faults first, then the credential: the XUID of a valid one, or the refusal to answer.</summary>
    private static async Task<(string? Xuid, IResult? Refusal)> AdmitAsync(HttpContext context, CollectionsState state, XstsTokens tokens)
    {
        var faults = state.Faults;
        if (faults.DelayMilliseconds > 0)
        {
            await Task.Delay(faults.DelayMilliseconds, context.RequestAborted);
        }

        if (faults.Outage || state.TakeFailure())
        {
            return (null, Error(StatusCodes.Status503ServiceUnavailable, "ServiceUnavailable", "The service is unavailable."));
        }

        if (faults.Throttle)
        {
            context.Response.Headers.RetryAfter = "1";
            return (null, Error(StatusCodes.Status429TooManyRequests, "TooManyRequests", "Too many requests."));
        }

        if (faults.RejectCredentials is { } status)
        {
            return (null, Error(status, status == 401 ? "Unauthorized" : "Forbidden", "The credential was refused."));
        }

        var xuid = tokens.ReadUser(context.Request.Headers.Authorization.FirstOrDefault());
        return xuid is null || state.Get(xuid) is null
            ? (null, Error(StatusCodes.Status401Unauthorized, "Unauthorized", "The XBL3.0 credential is not valid."))
            : (xuid, null);
    }

    private static async Task<JsonNode?> ReadAsync(HttpContext context)
    {
        try
        {
            return await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IResult Error(int status, string code, string message) => Results.Json(
        new { code, message, source = "XboxLiveSimulator", data = Array.Empty<string>(), details = Array.Empty<string>(), innererror = new { code, message } },
        Json,
        statusCode: status);

    private static string WriteContinuation(int offset) => Base64Url.Encode(Encoding.UTF8.GetBytes("offset:" + offset.ToString(CultureInfo.InvariantCulture)));

    private static bool TryReadContinuation(string token, out int offset)
    {
        offset = 0;
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.Decode(token));
            return text.StartsWith("offset:", StringComparison.Ordinal) && int.TryParse(text.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out offset);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
