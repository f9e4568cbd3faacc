using System.Text.Json;
using Entitlements.Gateway.Validation;

namespace Entitlements.Gateway.PlayFab;

/// <summary>Reads a PlayFab request body: one JSON object; field problems are collected as PlayFab's <c>errorDetails</c>.</summary>
public sealed class PlayFabRequestReader : IDisposable
{
    private const int MaxBodyBytes = 256 * 1024;
    private const string TooLarge = "The request body is too large.";
    private readonly JsonDocument? _document;

    private PlayFabRequestReader(JsonDocument? document) => _document = document;

    public Dictionary<string, string[]> Errors { get; } = new(StringComparer.Ordinal);

    public static async Task<PlayFabRequestReader> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // These routes take anonymous callers (LoginWithXbox): no more than the limit is ever held, and a
        // body that says or turns out to be larger is refused without reading the rest.
        if (request.ContentLength > MaxBodyBytes)
        {
            return Fail("body", TooLarge);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return Fail("body", TooLarge);
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            var bytes = buffer.Length == 0 ? "{}"u8.ToArray() : buffer.ToArray();
            var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = JsonBody.MaxDepth });
            if (JsonBody.FindUnreadableString(bytes) is not null)
            {
                // Bytes that are not UTF-8, or an escaped lone surrogate: the parser takes them, reading them would throw.
                document.Dispose();
                return Fail("body", "The request body is not valid JSON.");
            }

            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                return Fail("body", "The request body must be a JSON object.");
            }

            return new PlayFabRequestReader(document);
        }
        catch (JsonException)
        {
            return Fail("body", "The request body is not valid JSON.");
        }
    }

    public bool IsValid => Errors.Count == 0;

    /// <summary>A string field; null when absent (recorded as an error when <paramref name="required"/>).</summary>
    public string? Text(string name, bool required)
    {
        if (_document is null)
        {
            return null;
        }

        if (!_document.RootElement.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Errors[name] = [$"The {name} field is required."];
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Errors[name] = [$"The {name} field must be a string."];
            return null;
        }

        var text = value.GetString()!;
        if (required && text.Length == 0)
        {
            Errors[name] = [$"The {name} field is required."];
            return null;
        }

        return text;
    }

    public bool? Flag(string name)
    {
        if (_document is null || !_document.RootElement.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        Errors[name] = [$"The {name} field must be a boolean."];
        return null;
    }

    /// <summary>An optional object field (<c>CustomTags</c>): only its type is checked.</summary>
    public void OptionalObject(string name)
    {
        if (_document is not null && _document.RootElement.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            Errors[name] = [$"The {name} field must be an object."];
        }
    }

    public void Dispose() => _document?.Dispose();

    private static PlayFabRequestReader Fail(string field, string message)
    {
        var reader = new PlayFabRequestReader(null);
        reader.Errors[field] = [message];
        return reader;
    }
}
