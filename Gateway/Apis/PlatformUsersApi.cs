using System.Globalization;
using Entitlements.Contracts;
using Entitlements.Gateway.Auth;
using Entitlements.Gateway.RallyHere;
using Entitlements.Gateway.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Entitlements.Gateway.Apis;

/// <summary>RallyHere's <c>/users/v1/platform-user</c>: find a platform user, or link one to a player.</summary>
public static class PlatformUsersApi
{
    public static IEndpointRouteBuilder MapPlatformUsersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/users/v1/platform-user").WithTags("Platform users");
        group.MapGet("", FindPlatformUserById)
            .WithName("find_platform_user_by_id")
            .RequirePermission(Permissions.PlatformUserRead);
        group.MapPut("", UpdatePlatformUserById)
            .WithName("update_platform_user_by_id")
            .RequirePermission(Permissions.PlatformUserCreate);
        return app;
    }

    public static async Task<Results<Ok<PlatformUserResponse>, JsonHttpResult<HttpValidationError>, JsonHttpResult<HzApiErrorModel>>> FindPlatformUserById(
        HttpRequest request, IGrainFactory grains)
    {
        var errors = new List<ValidationErrorDetail>();
        var (platform, platformUserId) = ReadIdentity(request.Query, errors);
        if (errors.Count > 0)
        {
            return RallyHereResults.Invalid(errors);
        }

        var link = await grains.GetGrain<IPlatformUserGrain>(IPlatformUserGrain.Key(platform, platformUserId!)).GetAsync();
        return link is null
            ? RallyHereResults.Error(StatusCodes.Status404NotFound, "user_not_found", "User not found")
            : TypedResults.Ok(PlatformUserResponse.From(link));
    }

    /// <summary>
    /// Create or update a platform user. Ours beyond RallyHere: an optional <c>player_uuid</c> query
    /// parameter links the platform user to that player (created if new) instead of a new one.
    /// 201 when the platform user was created, 200 when it existed.
    /// </summary>
    public static async Task<Results<Ok<PlatformUserResponse>, Created<PlatformUserResponse>, JsonHttpResult<HttpValidationError>>> UpdatePlatformUserById(
        HttpRequest request, IGrainFactory grains)
    {
        var errors = new List<ValidationErrorDetail>();
        var (platform, platformUserId) = ReadIdentity(request.Query, errors);
        var displayName = request.Query["display_name"].FirstOrDefault();
        if (displayName is null)
        {
            errors.Add(new ValidationErrorDetail(["query", "display_name"], "Field required", "missing"));
        }
        else if (displayName.Length > 256)
        {
            errors.Add(new ValidationErrorDetail(["query", "display_name"], "String should have at most 256 characters", "string_too_long"));
        }

        Guid? playerUuid = null;
        if (request.Query["player_uuid"].FirstOrDefault() is { } uuidText)
        {
            if (Guid.TryParse(uuidText, CultureInfo.InvariantCulture, out var uuid))
            {
                playerUuid = uuid;
            }
            else
            {
                errors.Add(new ValidationErrorDetail(["query", "player_uuid"], "Input should be a valid UUID", "uuid_parsing"));
            }
        }

        if (errors.Count > 0)
        {
            return RallyHereResults.Invalid(errors);
        }

        var result = await grains.GetGrain<IPlatformUserGrain>(IPlatformUserGrain.Key(platform, platformUserId!)).LinkAsync(displayName, playerUuid);
        var body = PlatformUserResponse.From(result.Link);
        return result.Created ? TypedResults.Created((string?)null, body) : TypedResults.Ok(body);
    }

    private static (Platform Platform, string? PlatformUserId) ReadIdentity(IQueryCollection query, List<ValidationErrorDetail> errors)
    {
        var platformText = query["platform"].FirstOrDefault();
        var platform = Platform.Anon;
        if (platformText is null)
        {
            errors.Add(new ValidationErrorDetail(["query", "platform"], "Field required", "missing"));
        }
        else if (!WireNames<Platform>.TryParse(platformText, out platform))
        {
            errors.Add(new ValidationErrorDetail(["query", "platform"], JsonFieldReader.EnumMessage<Platform>(), "enum"));
        }

        var platformUserId = query["platform_user_id"].FirstOrDefault();
        if (platformUserId is null)
        {
            errors.Add(new ValidationErrorDetail(["query", "platform_user_id"], "Field required", "missing"));
        }
        else if (platformUserId.Length is 0 or > 2048)
        {
            errors.Add(platformUserId.Length == 0
                ? new ValidationErrorDetail(["query", "platform_user_id"], "String should have at least 1 character", "string_too_short")
                : new ValidationErrorDetail(["query", "platform_user_id"], "String should have at most 2048 characters", "string_too_long"));
        }

        return (platform, platformUserId);
    }
}
