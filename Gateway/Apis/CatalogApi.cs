using Entitlements.Catalog;
using Entitlements.Contracts;
using Entitlements.Gateway.Auth;
using Entitlements.Gateway.RallyHere;
using Entitlements.Gateway.Validation;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Entitlements.Gateway.Apis;

/// <summary>RallyHere's catalog <c>entitlement-sku</c> (GET), plus our PUT to edit an entry.</summary>
public static class CatalogApi
{
    public static IEndpointRouteBuilder MapCatalogApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/inventory/v1/catalog/entitlement-sku").WithTags("Catalog");
        group.MapGet("/{platform}/{sku}", GetCatalogEntitlementSku)
            .WithName("get_catalog_entitlement_sku")
            .RequirePermission(Permissions.CatalogRead);
        group.MapPut("/{platform}/{sku}", PutCatalogEntitlementSku)
            .WithName("put_catalog_entitlement_sku")
            .Produces<HzApiErrorModel>(StatusCodes.Status409Conflict)
            .Produces<HzApiErrorModel>(StatusCodes.Status412PreconditionFailed)
            .Produces<HzApiErrorModel>(StatusCodes.Status413PayloadTooLarge)
            .RequirePermission(Permissions.CatalogWrite);
        return app;
    }

    public static async Task<Results<Ok<CatalogSkuDocument>, StatusCodeHttpResult, JsonHttpResult<HttpValidationError>, JsonHttpResult<HzApiErrorModel>>> GetCatalogEntitlementSku(
        string platform, string sku, HttpContext context, IGrainFactory grains)
    {
        sku = PathSku(context, sku);
        if (!WireNames<Platform>.TryParse(platform, out var parsed))
        {
            return RallyHereResults.Invalid("path", "platform", JsonFieldReader.EnumMessage<Platform>(), "enum");
        }

        if (IsDotSegment(sku))
        {
            return RallyHereResults.Invalid("path", "sku", DotSegmentMessage, "value_error");
        }

        var entry = await grains.GetGrain<ICatalogSkuGrain>(ICatalogSkuGrain.Key(parsed, sku)).GetAsync();
        if (entry is null)
        {
            return RallyHereResults.Error(StatusCodes.Status404NotFound, "sku_not_found", $"No catalog entry for {platform} SKU '{sku}'.");
        }

        var etag = ETag(entry);
        context.Response.Headers.ETag = etag;
        // RFC 9110: a list of tags or "*", compared weakly.
        var current = new EntityTagHeaderValue(etag);
        if (context.Request.GetTypedHeaders().IfNoneMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(current, useStrongComparison: false)))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Ok(CatalogSkuDocument.From(entry));
    }

    public static async Task<Results<Ok<CatalogSkuDocument>, JsonHttpResult<HttpValidationError>, JsonHttpResult<HzApiErrorModel>, JsonHttpResult<HttpErrorDetail>>> PutCatalogEntitlementSku(
        string platform, string sku, HttpContext context, IGrainFactory grains, CancellationToken cancellationToken)
    {
        sku = PathSku(context, sku);
        var errors = new List<ValidationErrorDetail>();
        if (!WireNames<Platform>.TryParse(platform, out var parsedPlatform))
        {
            errors.Add(new ValidationErrorDetail(["path", "platform"], JsonFieldReader.EnumMessage<Platform>(), "enum"));
        }

        // Counted as the body's sku is (an emoji is one character), so that a sku an event may name can be put here.
        JsonFieldReader.CheckLength(errors, ["path", "sku"], sku, 0, CatalogSku.MaxSkuLength);
        if (IsDotSegment(sku))
        {
            errors.Add(new ValidationErrorDetail(["path", "sku"], DotSegmentMessage, "value_error"));
        }

        var (document, bodyErrors, refusal) = await RallyHereBody.ReadObjectAsync<CatalogSkuDocument>(context.Request, CatalogSkuRequestReader.MaxBodyBytes, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        errors.AddRange(bodyErrors);
        using (document)
        {
            CatalogSku? entry = null;
            if (document is not null)
            {
                entry = CatalogSkuRequestReader.Read(document.RootElement, parsedPlatform, sku, errors);
            }

            if (errors.Count > 0 || entry is null)
            {
                return RallyHereResults.Invalid(errors);
            }

            var result = await grains.GetGrain<ICatalogSkuGrain>(ICatalogSkuGrain.Key(parsedPlatform, sku)).PutAsync(entry, Precondition(context.Request));
            if (result.Entry is { } stored)
            {
                context.Response.Headers.ETag = ETag(stored);
            }

            return result.Outcome switch
            {
                CatalogWriteOutcome.Written => TypedResults.Ok(CatalogSkuDocument.From(result.Entry!)),
                CatalogWriteOutcome.PreconditionFailed => RallyHereResults.Error(
                    StatusCodes.Status412PreconditionFailed,
                    "precondition_failed",
                    result.Entry is null
                        ? $"No catalog entry for {platform} SKU '{sku}', and If-Match asks for one; nothing was written."
                        : $"The catalog entry for {platform} SKU '{sku}' is at revision {result.Entry.Revision} (ETag {ETag(result.Entry)}), which the If-Match or If-None-Match header does not allow; nothing was written."),
                CatalogWriteOutcome.ItemTypeConflict when result.Conflicting!.Platform == parsedPlatform && result.Conflicting.Sku == sku => RallyHereResults.Error(
                    StatusCodes.Status409Conflict,
                    "catalog_item_type_conflict",
                    $"This entry maps item '{entry.ItemId}' as {WireNames<EntitlementType>.Of(result.Conflicting.EntitlementType)}, and holdings granted under that type keep it; " +
                    "an item's type cannot change, so to map the SKU to another type give it a new item_id. Nothing was written."),
                CatalogWriteOutcome.ItemTypeConflict => RallyHereResults.Error(
                    StatusCodes.Status409Conflict,
                    "catalog_item_type_conflict",
                    $"Item '{entry.ItemId}' is already mapped as {WireNames<EntitlementType>.Of(result.Conflicting!.EntitlementType)} by {result.Conflicting.Platform} SKU '{result.Conflicting.Sku}'; " +
                    $"an item has one entitlement type across the catalog, so it cannot be mapped as {WireNames<EntitlementType>.Of(entry.EntitlementType)} here. Nothing was written."),
                CatalogWriteOutcome.ProductIdConflict => RallyHereResults.Error(
                    StatusCodes.Status409Conflict,
                    "catalog_product_id_conflict",
                    $"Platform product id '{entry.PlatformProductId}' already belongs to {result.Conflicting!.Platform} SKU '{result.Conflicting.Sku}'; " +
                    "the Xbox consume maps a product to one entry, so no other XboxLive entry may have it. Nothing was written."),
                _ => throw new InvalidOperationException(result.Describe(entry)),
            };
        }
    }

    /// <summary>
    /// The request's <c>If-Match</c> and <c>If-None-Match</c> (RFC 9110, section 13.1) as revisions: each a list of
    /// ETags or <c>*</c>. <c>If-Match</c> compares strongly (a weak tag matches nothing), <c>If-None-Match</c>
    /// weakly; a tag that is not one of our ETags matches no revision. An <c>If-Match</c> sent empty lists no
    /// revision, so nothing matches it (a script whose <c>$ETAG</c> is unset keeps its lost-update protection); an
    /// empty <c>If-None-Match</c> is as good as none, since no revision is then excluded. The store checks them in
    /// the write's transaction, so two PUTs that both read revision 3 cannot both pass <c>If-Match: "3"</c>.
    /// </summary>
    private static CatalogPrecondition Precondition(HttpRequest request)
    {
        var headers = request.GetTypedHeaders();
        return new CatalogPrecondition
        {
            IfMatch = request.Headers.IfMatch.Count > 0 ? Revisions(headers.IfMatch, strong: true) : null,
            IfNoneMatch = Present(request.Headers.IfNoneMatch) ? Revisions(headers.IfNoneMatch, strong: false) : null,
        };

        static bool Present(Microsoft.Extensions.Primitives.StringValues values) => values.Any(value => !string.IsNullOrWhiteSpace(value));
    }

    private static CatalogRevisions Revisions(IList<EntityTagHeaderValue> tags, bool strong) => new()
    {
        Any = tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any)),
        Revisions = [.. tags
            .Where(tag => !(strong && tag.IsWeak) && !tag.Equals(EntityTagHeaderValue.Any))
            .Select(tag => long.TryParse(tag.Tag.AsSpan().Trim('"'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var revision) ? revision : -1)
            .Where(revision => revision >= 0)],
    };

    /// <summary>
    /// The path's SKU as the client encoded it. ASP.NET Core decodes a route value except for <c>%2F</c>, which
    /// it leaves as the three characters, while <c>%25</c> does become <c>%</c>: <c>a%2Fb</c> and <c>a%252Fb</c>
    /// would both arrive as "a%2Fb", and a SKU with a slash would be stored under another name. So the last
    /// segment of the request target, as sent, is decoded here instead, once and completely, and bytes that are
    /// not UTF-8 become U+FFFD as the peers' Python servers decode them (<see cref="PercentDecoding"/>).
    /// </summary>
    private static string PathSku(HttpContext context, string routeValue)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(target) || target[0] != '/')
        {
            return routeValue;
        }

        var end = target.IndexOfAny(['?', '#']);
        var path = (end < 0 ? target : target[..end]).TrimEnd('/');
        return PercentDecoding.Decode(path.AsSpan(path.LastIndexOf('/') + 1), plusIsSpace: false);
    }

    private const string DotSegmentMessage =
        "Value error, a path segment '.' or '..' (or %2E, %2E%2E) is not a SKU: it is removed from the path before the route is matched";

    /// <summary>
    /// Whether the path's SKU is a dot segment, sent as such or percent-encoded. Kestrel removes dot segments
    /// before routing (<c>/Steam/yy/.</c> is matched as SKU <c>yy</c>), while <see cref="PathSku"/> reads the target
    /// as sent: such a SKU would be another than the one the route matched, so it is refused.
    /// </summary>
    private static bool IsDotSegment(string sku) => sku is "." or "..";

    private static string ETag(CatalogSku entry) => $"\"{entry.Revision}\"";
}
