using Entitlements.Contracts;
using Entitlements.Diagnostics;
using Entitlements.Gateway.Auth;
using Entitlements.Gateway.Hosting;
using Entitlements.Gateway.PlayFab;
using Entitlements.Gateway.Xbox;
using Microsoft.Extensions.Options;

namespace Entitlements.Gateway.Apis;

/// <summary>
/// PlayFab's Client API, the Xbox part: <c>LoginWithXbox</c> and <c>ConsumeXboxEntitlements</c>. Routes
/// match in any case and ignore the SDKs' <c>?sdk=</c> query. Authentication is PlayFab's own (the
/// <c>X-Authorization</c> session ticket), not the bearer token of the other surfaces.
/// </summary>
public static partial class PlayFabClientApi
{
    public const string SessionTicketHeader = "X-Authorization";

    /// <summary>The flags of PlayFab's <c>GetPlayerCombinedInfoRequestParams</c>, checked to be booleans.</summary>
    private static readonly string[] InfoRequestFlags =
    [
        "GetCharacterInventories", "GetCharacterList", "GetPlayerProfile", "GetPlayerStatistics", "GetTitleData",
        "GetUserAccountInfo", "GetUserData", "GetUserInventory", "GetUserReadOnlyData", "GetUserVirtualCurrency",
    ];

    public static IEndpointRouteBuilder MapPlayFabClientApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/Client").WithTags("PlayFab Client").WithMetadata(AnonymousAccess.Instance).AddEndpointFilter(PlayFabErrorsAsync);
        group.MapPost("/LoginWithXbox", LoginWithXbox).WithName("playfab_login_with_xbox");
        group.MapPost("/ConsumeXboxEntitlements", ConsumeXboxEntitlements).WithName("playfab_consume_xbox_entitlements");
        return app;
    }

    public static async Task<IResult> LoginWithXbox(
        HttpContext context,
        IGrainFactory grains,
        XstsTokenValidator validator,
        PlayFabRateLimits limits,
        IOptions<PlayFabOptions> options,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (limits.AdmitLogin(context) is { } wait)
        {
            return RateLimited(context, wait, "Too many logins from this address");
        }

        using var body = await PlayFabRequestReader.ReadAsync(context.Request, cancellationToken);
        body.Text("TitleId", required: true);
        var xboxToken = body.Text("XboxToken", required: true);
        var createAccount = body.Flag("CreateAccount") ?? false;
        var infoRequested = body.OptionalFlags("InfoRequestParameters", InfoRequestFlags);
        body.OptionalObject("CustomTags");
        if (!body.IsValid)
        {
            return PlayFabResults.Error(PlayFabError.InvalidParams, "Invalid input parameters", body.Errors);
        }

        var validation = validator.Validate(xboxToken!);
        if (validation.User is not { } user)
        {
            return PlayFabResults.Error(validation.Error!, validation.Message!);
        }

        var platformUser = grains.GetGrain<IPlatformUserGrain>(IPlatformUserGrain.Key(Platform.XboxLive, user.Xuid));
        var link = await platformUser.GetAsync();
        var created = false;
        if (link is null)
        {
            if (!createAccount)
            {
                return PlayFabResults.Error(PlayFabError.AccountNotFound, "User not found");
            }

            var linked = await platformUser.LinkAsync(user.Gamertag, null);
            link = linked.Link;
            created = linked.Created;
        }

        var playFabId = PlayFabIds.From(link.PlayerUuid);

        // Whole seconds, as the ticket holds its expiry, so the entity token's expiry is the ticket's. The lifetime
        // is at least a minute: checked when the host starts.
        var expires = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().AddMinutes(options.Value.SessionTicketLifetimeMinutes).ToUnixTimeSeconds());
        var ticket = await grains.GetGrain<ISessionTicketGrain>(0).IssueAsync(new SessionTicketClaims
        {
            PlayerUuid = link.PlayerUuid,
            PlayFabId = playFabId,
            Xuid = user.Xuid,
            Expires = expires,
        });
        var entity = EntityKey.ForTitlePlayer(playFabId);
        GetPlayerCombinedInfoResultPayload? info = null;
        if (infoRequested)
        {
            // Whatever is asked for, only the account is answered (PlayFab always retrieves it); the
            // player's creation is also when it joined this system's one title.
            // Created is required in PlayFab's schema: a linked player is always in the ledger.
            var player = await grains.Reference<IPlayerGrain>(link.PlayerUuid).GetInfoAsync()
                ?? throw new InvalidOperationException($"Player {link.PlayerUuid} is linked but not in the ledger.");
            var playerCreated = PlayFabTime.Format(player.Created);
            info = new GetPlayerCombinedInfoResultPayload(new UserAccountInfo
            {
                PlayFabId = playFabId,
                Created = playerCreated,
                TitleInfo = new UserTitleInfo { Created = playerCreated, TitlePlayerAccount = entity },
                XboxInfo = new UserXboxInfo(user.Xuid, user.Sandbox),
            });
        }

        return PlayFabResults.Ok(new LoginResult
        {
            SessionTicket = ticket,
            PlayFabId = playFabId,
            NewlyCreated = created,
            SettingsForUser = new UserSettings(NeedsAttribution: false, GatherDeviceInfo: false, GatherFocusInfo: false),

            // No entity API is served: the session ticket stands in for the entity token, so the token
            // grants nothing more than the ticket and expires with it. One title, so the title player
            // account's id is the PlayFab id.
            EntityToken = new EntityTokenResponse(ticket, PlayFabTime.Format(expires), entity),
            InfoResultPayload = info,
        });
    }

    public static async Task<IResult> ConsumeXboxEntitlements(
        HttpContext context,
        IGrainFactory grains,
        XstsTokenValidator validator,
        PlayFabRateLimits limits,
        IOptions<PlayFabOptions> options,
        CancellationToken cancellationToken)
    {
        var ticket = context.Request.Headers[SessionTicketHeader].FirstOrDefault();
        if (string.IsNullOrWhiteSpace(ticket))
        {
            return PlayFabResults.Error(PlayFabError.NotAuthenticated, "This API method requires a client session ticket (X-Authorization).");
        }

        // Refused too once the XUID's link has moved to another player (PUT /users/v1/platform-user).
        if (await grains.GetGrain<ISessionTicketGrain>(0).ReadLinkedAsync(ticket.Trim()) is not { } session)
        {
            return PlayFabResults.Error(PlayFabError.InvalidSessionTicket, "The session ticket is invalid or has expired.");
        }

        if (limits.AdmitConsume(session.PlayerUuid) is { } wait)
        {
            return RateLimited(context, wait, "Too many Xbox consumes for this player");
        }

        using var body = await PlayFabRequestReader.ReadAsync(context.Request, cancellationToken);
        var xboxToken = body.Text("XboxToken", required: true);
        var catalogVersion = body.Text("CatalogVersion", required: false);
        body.OptionalObject("CustomTags");
        if (!body.IsValid)
        {
            return PlayFabResults.Error(PlayFabError.InvalidParams, "Invalid input parameters", body.Errors);
        }

        var validation = validator.Validate(xboxToken!);
        if (validation.User is not { } user)
        {
            return PlayFabResults.Error(validation.Error!, validation.Message!);
        }

        if (user.Xuid != session.Xuid)
        {
            return PlayFabResults.Error(PlayFabError.InvalidXboxLiveToken, "The Xbox Live token belongs to another user than the session.");
        }

        var result = await grains.GetGrain<IPlayerGrain>(session.PlayerUuid).ConsumeXboxEntitlementsAsync(new ConsumeXboxEntitlements
        {
            Xuid = user.Xuid,
            XboxAuthorization = xboxToken!,
            CatalogVersion = string.IsNullOrEmpty(catalogVersion) ? options.Value.DefaultCatalogVersion : catalogVersion,
        });
        // Items granted before Xbox, or anything else (Interrupted), failed mid-way are answered as a success:
        // they are granted for good, a repeated call answers only what it grants then, and an ApiErrorWrapper
        // has no place for them, so an error would hide them from the client forever. The balances left are
        // consumed by the next call.
        return result.Outcome switch
        {
            XboxConsumeOutcome.Completed or XboxConsumeOutcome.DeadlineReached => PlayFabResults.Ok(new ConsumeXboxEntitlementsResult([.. result.Items.Select(ToItemInstance)])),
            _ when result.Items.Count > 0 => PlayFabResults.Ok(new ConsumeXboxEntitlementsResult([.. result.Items.Select(ToItemInstance)])),
            XboxConsumeOutcome.UnknownPlayer => PlayFabResults.Error(PlayFabError.AccountNotFound, "User not found"),
            XboxConsumeOutcome.TooManyRequests => PlayFabResults.Error(PlayFabError.XboxServiceTooManyRequests, "Xbox Live is throttling requests; retry later."),
            XboxConsumeOutcome.TokenRejected => PlayFabResults.Error(PlayFabError.XboxRejectedXstsExchangeRequest, "Xbox Live rejected the XSTS token."),
            XboxConsumeOutcome.AccessDenied => PlayFabResults.Error(PlayFabError.XboxXassExchangeFailure, "Xbox Live refused this title access to the user's collections."),
            XboxConsumeOutcome.NotConfigured => PlayFabResults.Error(PlayFabError.ProductDisabledForTitle, "Xbox Live is not enabled for this title."),
            XboxConsumeOutcome.BalanceLimitReached => PlayFabResults.Error(
                PlayFabError.InvalidItemProperties,
                "Xbox Live consumed a balance whose grant would take an item past 9223372036854775807 uses; it was recorded as not applied, nothing was granted."),
            _ => PlayFabResults.Error(PlayFabError.XboxInaccessible, "Xbox Live could not be reached."),
        };
    }

    /// <summary>PlayFab's throttling answer, with the wait in whole seconds (at least 1) as <c>Retry-After</c> and <c>retryAfterSeconds</c>.</summary>
    private static IResult RateLimited(HttpContext context, TimeSpan wait, string what)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return PlayFabResults.Error(PlayFabError.ApiClientRequestRateLimitExceeded, $"{what}; retry after {seconds} s.", retryAfterSeconds: seconds);
    }

    private static ItemInstance ToItemInstance(XboxGrantedItem item) => new()
    {
        ItemId = item.ItemId,
        ItemInstanceId = item.ItemInstanceId,
        ItemClass = item.ItemClass,
        DisplayName = item.DisplayName,
        CatalogVersion = item.CatalogVersion,
        PurchaseDate = PlayFabTime.Format(item.PurchaseDate),
        RemainingUses = Int32(item.RemainingUses),
        UsesIncrementedBy = Int32(item.UsesIncrementedBy),
        UnitPrice = 0,
    };

    /// <summary>PlayFab's SDKs read these counts as int32: a ledger balance beyond that range is sent at its bound.</summary>
    private static int? Int32(long? value) => value is { } number ? (int)Math.Clamp(number, int.MinValue, int.MaxValue) : null;

    /// <summary>Nothing leaves the PlayFab surface in another shape: failures become <c>ApiErrorWrapper</c>s.</summary>
    private static async ValueTask<object?> PlayFabErrorsAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        try
        {
            return await next(invocation);
        }
        catch (BadHttpRequestException)
        {
            return PlayFabResults.Error(PlayFabError.InvalidParams, "The HTTP request could not be read.");
        }
        catch (Exception exception) when (Unavailability.IsUnavailable(exception, context.RequestAborted))
        {
            var logger = Logger(context);
            LogUnavailable(logger, context.Request.Path, ExceptionLine.Of(exception));
            LogUnavailableException(logger, exception, context.Request.Path);
            context.Response.Headers.RetryAfter = Unavailability.RetryAfterSeconds;
            return PlayFabResults.Error(
                PlayFabError.ServiceUnavailable, "The service is temporarily unavailable; retry later.", retryAfterSeconds: Unavailability.RetryAfterSecondsNumber);
        }
        catch (Exception exception) when (!context.RequestAborted.IsCancellationRequested)
        {
            LogFailed(Logger(context), exception, context.Request.Path);
            return PlayFabResults.Error(PlayFabError.InternalServerError, "An internal error occurred.");
        }
    }

    private static ILogger Logger(HttpContext context) => context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PlayFabClientApi));
}
