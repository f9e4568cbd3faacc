using System.Globalization;
using Entitlements.Contracts;
using Entitlements.Gateway.AccelByte;
using Entitlements.Gateway.Auth;
using Entitlements.Gateway.RallyHere;
using Entitlements.Notifications;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Entitlements.Gateway.Apis;

/// <summary>A player's current entitlements in AccelByte's <c>EntitlementInfo</c> shape, and consumption.</summary>
public static class PlayerEntitlementsApi
{
    public static IEndpointRouteBuilder MapPlayerEntitlementsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/inventory/v1/player/{player_uuid}/entitlements").WithTags("Player entitlements");
        group.MapGet("", GetPlayerEntitlements)
            .WithName("get_player_entitlements")
            .RequirePermission(Permissions.EntitlementsRead, selfAllowed: true);
        group.MapPost("/consume", ConsumePlayerEntitlement)
            .WithName("consume_player_entitlement")
            .Produces<HzApiErrorModel>(StatusCodes.Status413PayloadTooLarge)
            .RequirePermission(Permissions.EntitlementsWrite, selfAllowed: true);
        return app;
    }

    public static async Task<Results<Ok<EntitlementPage>, JsonHttpResult<HttpValidationError>, JsonHttpResult<HzApiErrorModel>>> GetPlayerEntitlements(
        HttpContext context, IGrainFactory grains, IOptions<AccelByteOptions> options)
    {
        if (!TryPlayer(context, out var playerUuid, out var invalid))
        {
            return invalid;
        }

        var entitlements = await grains.Reference<IPlayerGrain>(playerUuid).GetEntitlementsAsync();
        if (entitlements is null)
        {
            return PlayerNotFound(playerUuid);
        }

        context.Response.Headers.ETag = $"\"{entitlements.Version}\"";
        var data = entitlements.Entitlements.Select(e => EntitlementInfo.From(e, options.Value.Namespace)).ToList();
        return TypedResults.Ok(new EntitlementPage(data, new PageLinks(null, null)));
    }

    public static async Task<Results<Ok<EntitlementInfo>, JsonHttpResult<HttpValidationError>, JsonHttpResult<HzApiErrorModel>, JsonHttpResult<HttpErrorDetail>>> ConsumePlayerEntitlement(
        HttpContext context, IGrainFactory grains, IOptions<AccelByteOptions> options, CancellationToken cancellationToken)
    {
        if (!TryPlayer(context, out var playerUuid, out var invalid))
        {
            return invalid;
        }

        var (document, errors, refusal) = await RallyHereBody.ReadObjectAsync<EntitlementInfo>(context.Request, ConsumeEntitlementRequestReader.MaxBodyBytes, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        using (document)
        {
            var command = document is null ? null : ConsumeEntitlementRequestReader.Read(document.RootElement, errors);
            if (command is null)
            {
                return RallyHereResults.Invalid(errors);
            }

            var result = await grains.Reference<IPlayerGrain>(playerUuid).ConsumeAsync(command);
            return result.Outcome switch
            {
                ConsumeOutcome.Consumed or ConsumeOutcome.Replayed => TypedResults.Ok(EntitlementInfo.From(result.Entitlement!, options.Value.Namespace)),
                ConsumeOutcome.UnknownPlayer => PlayerNotFound(playerUuid),
                ConsumeOutcome.NotOwned => RallyHereResults.Error(StatusCodes.Status404NotFound, "entitlement_not_found", $"The player has no entitlement for item '{command.ItemId}'."),
                ConsumeOutcome.NotConsumable => RallyHereResults.Error(StatusCodes.Status409Conflict, "entitlement_not_consumable", $"Item '{command.ItemId}' is not a consumable."),
                ConsumeOutcome.InsufficientBalance => RallyHereResults.Error(StatusCodes.Status409Conflict, "insufficient_balance", $"The player's balance of item '{command.ItemId}' is below {command.Quantity}."),
                ConsumeOutcome.Conflict => RallyHereResults.Error(StatusCodes.Status409Conflict, "operation_conflict", $"Operation '{command.OperationId}' was already used with a different request."),
                _ => throw new InvalidOperationException($"A consume answered {result.Outcome}, which this route does not know."),
            };
        }
    }

    private static bool TryPlayer(HttpContext context, out Guid playerUuid, out JsonHttpResult<HttpValidationError> invalid)
    {
        invalid = null!;
        if (Guid.TryParse(context.Request.RouteValues["player_uuid"] as string, CultureInfo.InvariantCulture, out playerUuid))
        {
            return true;
        }

        invalid = RallyHereResults.Invalid("path", "player_uuid", "Input should be a valid UUID", "uuid_parsing");
        return false;
    }

    private static JsonHttpResult<HzApiErrorModel> PlayerNotFound(Guid playerUuid) =>
        RallyHereResults.Error(StatusCodes.Status404NotFound, "player_not_found", $"No player with player_uuid {playerUuid}.");
}
