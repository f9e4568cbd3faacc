using System.Globalization;
using Entitlements.Gateway.Auth;
using Entitlements.Gateway.Ops;
using Entitlements.Gateway.Validation;
using Entitlements.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Entitlements.Gateway.Apis;

/// <summary>
/// The operator's view of the webhooks: their positions and dead letters, and a replay of one dead
/// letter. Every answer that is not a success is an RFC 9457 problem. Data comes through the webhook
/// grains only.
/// </summary>
public static class WebhooksApi
{
    public const int DefaultLimit = 100;

    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/ops/v1/webhooks").WithTags("Webhooks");
        group.MapGet("/", ListWebhooks)
            .WithName("list_webhooks")
            .RequirePermission(Permissions.WebhooksAdmin);
        group.MapGet("/{name}/dead-letters", ListDeadLetters)
            .WithName("list_webhook_dead_letters")
            .RequirePermission(Permissions.WebhooksAdmin);
        group.MapPost("/{name}/dead-letters/{id}/replay", ReplayDeadLetter)
            .WithName("replay_webhook_dead_letter")
            .RequirePermission(Permissions.WebhooksAdmin);
        return app;
    }

    public static async Task<Ok<WebhookListDocument>> ListWebhooks(IGrainFactory grains)
    {
        var statuses = await grains.GetGrain<IWebhookRegistryGrain>(0).ListAsync();
        return TypedResults.Ok(new WebhookListDocument([.. statuses.Select(WebhookDocument.From)]));
    }

    public static async Task<Results<Ok<DeadLetterPageDocument>, ProblemHttpResult>> ListDeadLetters(
        string name, HttpContext context, IGrainFactory grains)
    {
        var query = context.Request.Query;
        if (!TryReadWhole(query["limit"], DefaultLimit, 1, WebhookDeadLetterPage.MaxLimit, out var limit))
        {
            return Invalid($"limit must be a whole number from 1 to {WebhookDeadLetterPage.MaxLimit}.");
        }

        if (!TryReadWhole(query["after_id"], 0, 0, long.MaxValue, out var afterId))
        {
            return Invalid("after_id must be a whole number, 0 or more.");
        }

        if (await FindAsync(grains, name) is not { } webhook)
        {
            return UnknownWebhook(name);
        }

        var page = await webhook.ListDeadLettersAsync(afterId, (int)limit);
        var letters = page.DeadLetters.Select(DeadLetterDocument.From).ToList();
        return TypedResults.Ok(new DeadLetterPageDocument(letters, page.More ? letters[^1].Id : null));
    }

    public static async Task<Results<Ok<ReplayDocument>, ProblemHttpResult>> ReplayDeadLetter(string name, string id, IGrainFactory grains)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var deadLetterId) || await FindAsync(grains, name) is not { } webhook)
        {
            return NotFound(name, id);
        }

        var result = await webhook.ReplayAsync(deadLetterId);
        return result.Outcome switch
        {
            WebhookReplayOutcome.Delivered => TypedResults.Ok(new ReplayDocument("delivered", result.StatusCode, DeadLetterDocument.From(result.DeadLetter!))),
            WebhookReplayOutcome.Failed => TypedResults.Problem(
                title: "The webhook endpoint did not accept the notification",
                detail: $"Replay of dead letter {deadLetterId} to webhook '{name}' failed: {result.Error}. The attempt is recorded on the dead letter ({result.DeadLetter?.Attempts} attempts).",
                statusCode: StatusCodes.Status502BadGateway,
                extensions: new Dictionary<string, object?> { ["status_code"] = result.StatusCode, ["error"] = result.Error }),
            _ => NotFound(name, id),
        };
    }

    /// <summary>The webhook grain of a configured name; null for a name that cannot be or is not configured.</summary>
    private static async Task<IWebhookGrain?> FindAsync(IGrainFactory grains, string name)
    {
        if (name.Length is 0 or > WebhookEndpointOptions.MaxNameLength || !name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
        {
            return null;
        }

        var grain = grains.GetGrain<IWebhookGrain>(name);
        return await grain.GetStatusAsync() is null ? null : grain;
    }

    /// <summary>
    /// A whole number query parameter, <paramref name="fallback"/> when not given, read as every integer query
    /// parameter of the gateway is (docs/api.md): given more than once, its last value counts, and that value is
    /// read as pydantic's lax mode reads an integer from a string (surrounding whitespace dropped; a NUL refused).
    /// </summary>
    private static bool TryReadWhole(Microsoft.Extensions.Primitives.StringValues values, long fallback, long minimum, long maximum, out long value)
    {
        value = fallback;
        if (values.Count == 0)
        {
            return true;
        }

        return values[^1] is { } text
            && LaxInteger.Parse(text, out value) == LaxIntegerResult.Parsed
            && value >= minimum && value <= maximum;
    }

    private static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(title: "Invalid query", detail: detail, statusCode: StatusCodes.Status400BadRequest);

    private static ProblemHttpResult UnknownWebhook(string name) =>
        TypedResults.Problem(title: "Not found", detail: $"No webhook is configured with the name '{name}'.", statusCode: StatusCodes.Status404NotFound);

    private static ProblemHttpResult NotFound(string name, string id) =>
        TypedResults.Problem(title: "Not found", detail: $"Webhook '{name}' has no dead letter '{id}'.", statusCode: StatusCodes.Status404NotFound);
}
