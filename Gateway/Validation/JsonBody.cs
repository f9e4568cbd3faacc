using System.Text.Json;
using Entitlements.Gateway.RallyHere;

namespace Entitlements.Gateway.Validation;

/// <summary>Reads a request body as one JSON object, reporting problems the way FastAPI does.</summary>
public static class JsonBody
{
    public static async Task<(JsonDocument? Document, List<ValidationErrorDetail> Errors)> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length == 0)
        {
            return (null, [new ValidationErrorDetail(["body"], "Field required", "missing")]);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException exception)
        {
            var position = (object)(exception.BytePositionInLine ?? 0);
            return (null, [new ValidationErrorDetail(["body", position], "JSON decode error", "json_invalid")]);
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return (null, [new ValidationErrorDetail(["body"], "Input should be a valid dictionary or object to extract fields from", "model_attributes_type")]);
        }

        return (document, []);
    }
}
