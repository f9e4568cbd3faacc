using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace Entitlements.Gateway.RallyHere;

/// <summary>
/// A 200 with a page of the entitlement-event listing whose JSON was written once (and may be kept by
/// <see cref="EntitlementEventPageCache"/>): the bytes go out as they are, gzip-compressed when the client
/// accepts it and the body has that form (<see cref="EntitlementEventPageBody"/>). The API document
/// describes it as <c>Ok&lt;EntitlementEventListDto&gt;</c> would.
/// </summary>
public sealed class EntitlementEventListResult(EntitlementEventPageBody body) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult, IEndpointMetadataProvider
{
    public EntitlementEventPageBody Body { get; } = body ?? throw new ArgumentNullException(nameof(body));

    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => "application/json; charset=utf-8";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers.Vary = "Accept-Encoding";
        var bytes = Body.Json;
        if (Body.Gzip is { } gzip && EntitlementEventPageBody.AcceptsGzip(httpContext.Request))
        {
            response.Headers.ContentEncoding = "gzip";
            bytes = gzip;
        }

        response.ContentLength = bytes.Length;
        await response.BodyWriter.WriteAsync(bytes, httpContext.RequestAborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(EntitlementEventListDto), ["application/json"]));
    }
}
