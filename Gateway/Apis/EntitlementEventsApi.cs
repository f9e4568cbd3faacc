using Entitlements.Contracts;
using Entitlements.Gateway.Auth;
using Entitlements.Gateway.RallyHere;
using Entitlements.Gateway.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Entitlements.Gateway.Apis;

/// <summary>RallyHere's <c>/inventory/v1/entitlement-event</c>.</summary>
public static class EntitlementEventsApi
{
    public static IEndpointRouteBuilder MapEntitlementEventsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/inventory/v1/entitlement-event").WithTags("Entitlement events");
        group.MapPost("", GenerateEntitlementEvent)
            .WithName("generate_entitlement_event")
            .RequirePermission(Permissions.EntitlementEventWrite);
        group.MapGet("", GetEntitlementEvents)
            .WithName("get_entitlement_events")
            .RequirePermission(Permissions.EntitlementEventRead, selfAllowed: true);
        return app;
    }

    public static async Task<Results<Ok<EntitlementEventDto>, JsonHttpResult<HttpValidationError>, JsonHttpResult<HzApiErrorModel>>> GenerateEntitlementEvent(
        HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var (document, errors) = await JsonBody.ReadObjectAsync(request, cancellationToken);
        using (document)
        {
            var command = document is null ? null : EntitlementEventRequestReader.Read(document.RootElement, errors);
            if (command is null)
            {
                return RallyHereResults.Invalid(errors);
            }

            var result = await grains.GetGrain<IEntitlementEventsGrain>(0).SubmitAsync(command);
            return result.Outcome switch
            {
                EntitlementEventOutcome.Recorded or EntitlementEventOutcome.Replayed => TypedResults.Ok(EntitlementEventDto.From(result.Event!)),
                EntitlementEventOutcome.Conflict => RallyHereResults.Error(
                    StatusCodes.Status409Conflict,
                    "entitlement_event_conflict",
                    $"An entitlement event with this platform, platform_transaction_id and action_type already exists with a different payload (event_id {result.Event!.EventId})."),
                _ => RallyHereResults.Error(StatusCodes.Status404NotFound, "player_not_found", $"No player with player_uuid {command.PlayerUuid}."),
            };
        }
    }

    public static async Task<Results<Ok<EntitlementEventListDto>, JsonHttpResult<HttpValidationError>>> GetEntitlementEvents(
        HttpRequest request, IGrainFactory grains)
    {
        var errors = new List<ValidationErrorDetail>();
        var query = new QueryFieldReader(request.Query, errors);
        var playerUuid = query.Uuid("player_uuid");
        var playerId = query.WholeNumber("player_id", long.MinValue, long.MaxValue);
        var cursor = query.Text("cursor", required: false, maxLength: 255);
        var limit = (int)(query.WholeNumber("limit", 1, EntitlementEventQuery.MaxLimit) ?? EntitlementEventQuery.DefaultLimit);
        if (errors.Count > 0)
        {
            return RallyHereResults.Invalid(errors);
        }

        var page = await grains.GetGrain<IEntitlementEventsGrain>(0).ListAsync(new EntitlementEventQuery
        {
            // RallyHere: player_id is ignored when player_uuid is given.
            PlayerUuid = playerUuid,
            PlayerId = playerUuid is null ? playerId : null,
            Cursor = string.IsNullOrEmpty(cursor) ? null : cursor,
            Limit = limit,
        });
        if (page.InvalidCursor)
        {
            return RallyHereResults.Invalid("query", "cursor", "Invalid cursor: it was not issued for this listing", "value_error");
        }

        return TypedResults.Ok(new EntitlementEventListDto([.. page.Events.Select(EntitlementEventDto.From)], page.Cursor));
    }
}
