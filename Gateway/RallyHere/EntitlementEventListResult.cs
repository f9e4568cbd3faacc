using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace Entitlements.Gateway.RallyHere;

/// <summary>
/// A 200 with a page of the entitlement-event listing whose JSON was written once (and may be kept by
/// <see cref="EntitlementEventPageCache"/>): the bytes go out as they are. The API document describes it as
/// <c>Ok&lt;EntitlementEventListDto&gt;</c> would.
/// </summary>
public sealed class EntitlementEventListResult(byte[] body) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult, IEndpointMetadataProvider
{
    public byte[] Body { get; } = body ?? throw new ArgumentNullException(nameof(body));

    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => "application/json; charset=utf-8";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = ContentType;
        httpContext.Response.ContentLength = Body.Length;
        await httpContext.Response.BodyWriter.WriteAsync(Body, httpContext.RequestAborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(EntitlementEventListDto), ["application/json"]));
    }
}
