using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Entitlements.Tests.Infrastructure;

/// <summary>Whole-document JSON comparison: every field, every value; object key order does not matter.</summary>
internal static class JsonAssert
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Equal(JsonNode? expected, JsonNode? actual) => Assert.Equal(Canonical(expected), Canonical(actual));

    public static void Equal(JsonNode? expected, string actualJson) => Equal(expected, JsonNode.Parse(actualJson));

    /// <summary>A response that is <paramref name="status"/> with exactly <paramref name="body"/>, as JSON.</summary>
    public static void Response(HttpStatusCode status, JsonNode body, ApiResponse actual)
    {
        Assert.True(actual.Status == status, $"expected {(int)status}, got {actual}");
        Assert.Equal("application/json", actual.ContentHeaders.ContentType?.MediaType);
        Equal(body, actual.Json);
    }

    /// <summary>A 422 whose body is exactly FastAPI's <c>{"detail": [...]}</c> with these entries, in this order.</summary>
    public static void Invalid(ApiResponse actual, params ValidationDetail[] details) =>
        Response(HttpStatusCode.UnprocessableEntity, new JsonObject { ["detail"] = new JsonArray([.. details.Select(d => d.ToJson())]) }, actual);

    /// <summary>
    /// FastAPI's 400 for a body whose JSON Python's <c>json.loads</c> raises a plain <c>ValueError</c> on (not a
    /// <c>JSONDecodeError</c>): an integer of more digits than it converts.
    /// </summary>
    public static void BodyNotParsed(ApiResponse actual) =>
        Response(HttpStatusCode.BadRequest, new JsonObject { ["detail"] = "There was an error parsing the body" }, actual);

    /// <summary>RallyHere's <c>HzApiErrorModel</c> with <c>auth_success</c> true.</summary>
    public static void Error(HttpStatusCode status, string errorCode, string desc, ApiResponse actual) =>
        Response(status, new JsonObject { ["auth_success"] = true, ["error_code"] = errorCode, ["desc"] = desc }, actual);

    public static string Canonical(JsonNode? node)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, Indented))
        {
            Write(writer, node);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (name, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(name);
                    Write(writer, value);
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }
}
