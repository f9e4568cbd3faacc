using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Entitlements.Tests.Infrastructure;

/// <summary>A response read to the end: status, raw body, headers.</summary>
public sealed record ApiResponse(HttpStatusCode Status, string Body, HttpResponseHeaders Headers, HttpContentHeaders ContentHeaders)
{
    public JsonNode Json => JsonNode.Parse(Body) ?? throw new InvalidOperationException("The body is JSON null.");

    public JsonObject BodyObject => Json.AsObject();

    public override string ToString() => $"{(int)Status} {Body}";
}
