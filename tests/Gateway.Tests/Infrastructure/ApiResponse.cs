using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Entitlements.Tests.Infrastructure;

/// <summary>A response read to the end: status, raw body, headers.</summary>
public sealed record ApiResponse(HttpStatusCode Status, string Body, HttpResponseHeaders Headers, HttpContentHeaders ContentHeaders)
{
    /// <summary>The body as JSON, read as deep as the gateway writes (a listing carries platform_data two levels below a body's limit of 64).</summary>
    public JsonNode Json => JsonNode.Parse(Body, documentOptions: new JsonDocumentOptions { MaxDepth = 128 }) ?? throw new InvalidOperationException("The body is JSON null.");

    public JsonObject BodyObject => Json.AsObject();

    public override string ToString() => $"{(int)Status} {Body}";
}
