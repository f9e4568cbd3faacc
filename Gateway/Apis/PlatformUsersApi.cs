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
        var (platform, platformUserId) = ReadIdentity(new QueryFieldReader(request.Query, errors));
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
        var query = new QueryFieldReader(request.Query, errors);
        var (platform, platformUserId) = ReadIdentity(query);
        var displayName = query.Text("display_name", required: true, maxLength: PlatformUserLink.MaxDisplayNameLength);
        var playerUuid = query.PlayerUuid("player_uuid");
        if (errors.Count > 0)
        {
            return RallyHereResults.Invalid(errors);
        }

        var result = await grains.GetGrain<IPlatformUserGrain>(IPlatformUserGrain.Key(platform, platformUserId!)).LinkAsync(displayName, playerUuid);
        var body = PlatformUserResponse.From(result.Link);
        return result.Created ? TypedResults.Created((string?)null, body) : TypedResults.Ok(body);
    }

    private static (Platform Platform, string? PlatformUserId) ReadIdentity(QueryFieldReader query) =>
        (query.Enum<Platform>("platform", required: true) ?? Platform.Anon, query.Text("platform_user_id", required: true, maxLength: PlatformUserLink.MaxPlatformUserIdLength, minLength: 1));
}
