using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Entitlements.Contracts;
using Entitlements.Gateway.Auth;
using Entitlements.Gateway.RallyHere;
using Entitlements.Gateway.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Entitlements.Gateway.Apis;

/// <summary>RallyHere's <c>/inventory/v1/entitlement-event</c>.</summary>
public static class EntitlementEventsApi
{
    private const string BalanceLimit = "Value error, the item's balance would exceed 9223372036854775807 units; nothing was recorded";

    public static IEndpointRouteBuilder MapEntitlementEventsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/inventory/v1/entitlement-event").WithTags("Entitlement events");
        group.MapPost("", GenerateEntitlementEvent)
            .WithName("generate_entitlement_event")
            .WithSummary("Generate Entitlement Event")
            .WithDescription("Record a grant, refund, chargeback or chargeback reversal in the player's ledger.")
            // Any Content-Type reaches the handler, which answers FastAPI's 422 for one that is not JSON; routing
            // would otherwise pick its 415 endpoint, which declares no permission and is refused 403. The
            // document lists application/json only, as RallyHere's does.
            .Accepts<EntitlementEventRequestDto>("application/json", AnyContentType)
            .AddOpenApiOperationTransformer(DocumentJsonBodyOnly)
            .Produces<HzApiErrorModel>(StatusCodes.Status404NotFound)
            .Produces<HzApiErrorModel>(StatusCodes.Status409Conflict)
            .Produces<HzApiErrorModel>(StatusCodes.Status413PayloadTooLarge)
            .Produces<HttpValidationError>(StatusCodes.Status422UnprocessableEntity)
            .RequirePermission(Permissions.EntitlementEventWrite);
        group.MapGet("", GetEntitlementEvents)
            .WithName("get_entitlement_events")
            .WithSummary("Get Entitlement Events")
            .WithDescription("The entitlement events of a player, or of every player, oldest first, one page at a time.")
            .Produces<HttpValidationError>(StatusCodes.Status422UnprocessableEntity)
            .AddOpenApiOperationTransformer(DescribeListQuery)
            // RallyHere asks this permission of everybody, "for any player (including themselves)": the events
            // carry the stores' receipts (platform_data), which a player's own token does not read.
            .RequirePermission(Permissions.EntitlementEventRead);
        return app;
    }

    public static async Task<Results<Ok<EntitlementEventDto>, JsonHttpResult<HttpValidationError>, JsonHttpResult<HzApiErrorModel>, JsonHttpResult<HttpErrorDetail>>> GenerateEntitlementEvent(
        HttpRequest request, IGrainFactory grains, IEntitlementEventsGrain events, CancellationToken cancellationToken)
    {
        var (document, errors, refusal) = await RallyHereBody.ReadObjectAsync<EntitlementEventDto>(request, EntitlementEventRequestReader.MaxBodyBytes, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        using (document)
        {
            var command = document is null ? null : EntitlementEventRequestReader.Read(document.RootElement, errors);
            if (command is null)
            {
                return RallyHereResults.Invalid(errors);
            }

            EntitlementEventResult result;
            try
            {
                result = await grains.SubmitEntitlementEventAsync(events, command);
            }
            catch (BalanceLimitException)
            {
                // The ledger refused the event before appending it: what it gives would take the item's
                // balance past what 64 bits hold (the quantity is within bounds, the balance is not).
                return RallyHereResults.Invalid("body", "quantity", BalanceLimit, "value_error");
            }

            return result.Outcome switch
            {
                EntitlementEventOutcome.Recorded or EntitlementEventOutcome.Replayed => TypedResults.Ok(EntitlementEventDto.From(result.Event!, Logger(request))),
                EntitlementEventOutcome.Conflict => RallyHereResults.Error(
                    StatusCodes.Status409Conflict,
                    "entitlement_event_conflict",
                    $"An entitlement event with this platform, platform_transaction_id and action_type already exists with a different payload (event_id {result.Event!.EventId})."),
                EntitlementEventOutcome.UnknownPlayer => RallyHereResults.Error(StatusCodes.Status404NotFound, "player_not_found", $"No player with player_uuid {command.PlayerUuid}."),
                // A grant never gets it, and IEntitlementEventsGrain routes a refund that does again, to the grant's
                // player, until it is recorded: reaching here is a bug, answered 500 and logged, not a 404.
                EntitlementEventOutcome.GrantHeldByAnotherPlayer => throw new InvalidOperationException(
                    $"An entitlement event came back {result.Outcome} from the grain it was routed to; EntitlementEventRouting should have sent it to the grant's player."),
                _ => throw new InvalidOperationException($"Unknown entitlement event outcome {result.Outcome}."),
            };
        }
    }

    public static async Task<Results<EntitlementEventListResult, JsonHttpResult<HttpValidationError>>> GetEntitlementEvents(
        HttpRequest request, IEntitlementEventsGrain events, EntitlementEventPageCache pages, IOptions<JsonOptions> jsonOptions)
    {
        var errors = new List<ValidationErrorDetail>();
        var query = new QueryFieldReader(request.Query, errors);
        var playerUuid = query.Uuid("player_uuid");
        var playerId = query.WholeNumber("player_id", PlayerInfo.MinPlayerId, PlayerInfo.MaxPlayerId);
        var cursor = query.Text("cursor", required: false, maxLength: 255);
        var limit = (int)(query.WholeNumber("limit", 1, EntitlementEventQuery.MaxLimit) ?? EntitlementEventQuery.DefaultLimit);
        if (errors.Count > 0)
        {
            return RallyHereResults.Invalid(errors);
        }

        // RallyHere: player_id is ignored when player_uuid is given.
        var key = new EntitlementEventPageKey(playerUuid, playerUuid is null ? playerId : null, string.IsNullOrEmpty(cursor) ? null : cursor, limit);
        if (pages.Find(key) is { } kept)
        {
            return new EntitlementEventListResult(kept);
        }

        var page = await events.ListAsync(new EntitlementEventQuery { PlayerUuid = key.PlayerUuid, PlayerId = key.PlayerId, Cursor = key.Cursor, Limit = limit });
        if (page.InvalidCursor)
        {
            return RallyHereResults.Invalid("query", "cursor", "Invalid cursor: it was not issued for this listing", "value_error");
        }

        var logger = Logger(request);
        var json = JsonSerializer.SerializeToUtf8Bytes(
            new EntitlementEventListDto([.. page.Events.Select(e => EntitlementEventDto.From(e, logger))], page.Cursor), ListingJson(jsonOptions.Value.SerializerOptions));
        if (page.Cursor is not null && pages.Enabled)
        {
            // Full, and followed by newer events: these bytes can no longer change.
            var body = EntitlementEventPageBody.ToKeep(json);
            pages.Add(key, body);
            return new EntitlementEventListResult(body);
        }

        return new EntitlementEventListResult(EntitlementEventPageBody.ForAnswer(json, EntitlementEventPageBody.AcceptsGzip(request)));
    }

    private static ILogger Logger(HttpRequest request) =>
        request.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EntitlementEventsApi));

    /// <summary>
    /// The app's JSON options with room for a listing's depth: a body may nest 64 levels
    /// (<see cref="JsonBody.MaxDepth"/>), and a listing carries an event's <c>platform_data</c> two levels
    /// deeper (the page, its events array) than the request did. With the default limit of 64 such a page
    /// failed to write, for good.
    /// </summary>
    private static JsonSerializerOptions ListingJson(JsonSerializerOptions app) =>
        ListingOptions.GetValue(app, options => new JsonSerializerOptions(options) { MaxDepth = JsonBody.MaxDepth * 2 });

    private static readonly ConditionalWeakTable<JsonSerializerOptions, JsonSerializerOptions> ListingOptions = [];

    /// <summary>The listing reads its query itself (to answer RallyHere's 422); this tells the document what it reads.</summary>
    private const string AnyContentType = "*/*";

    private static Task DocumentJsonBodyOnly(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.RequestBody?.Content?.Remove(AnyContentType);
        return Task.CompletedTask;
    }

    private static Task DescribeListQuery(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.Parameters =
        [
            Query("player_uuid", "Player to get entitlement events for", new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Format = "uuid" }),
            Query(
                "player_id",
                "Player to get entitlement events for. Will be ignored if player_uuid is provided",
                new OpenApiSchema
                {
                    Type = JsonSchemaType.Integer | JsonSchemaType.Null,
                    Minimum = PlayerInfo.MinPlayerId.ToString(CultureInfo.InvariantCulture),
                    Maximum = PlayerInfo.MaxPlayerId.ToString(CultureInfo.InvariantCulture),
                },
                deprecated: true),
            Query("cursor", "Cursor for pagination", new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, MaxLength = 255 }),
            Query(
                "limit",
                $"Events per page (ours; RallyHere has no such parameter), default {EntitlementEventQuery.DefaultLimit}",
                new OpenApiSchema
                {
                    Type = JsonSchemaType.Integer,
                    Minimum = "1",
                    Maximum = EntitlementEventQuery.MaxLimit.ToString(CultureInfo.InvariantCulture),
                }),
        ];
        return Task.CompletedTask;
    }

    private static OpenApiParameter Query(string name, string description, OpenApiSchema schema, bool deprecated = false) =>
        new() { Name = name, In = ParameterLocation.Query, Required = false, Description = description, Schema = schema, Deprecated = deprecated };
}
