using System.Text.Json;
using Entitlements.Gateway.Validation;

namespace Entitlements.Gateway.PlayFab;

/// <summary>
/// Reads a PlayFab request body: one JSON object, as it is or gzip-compressed (the Unity SDK compresses
/// by default and says <c>Content-Encoding: GZIP</c>); field problems are collected as PlayFab's <c>errorDetails</c>.
/// </summary>
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

        var encoding = request.Headers.ContentEncoding.ToString().Trim();
        var gzip = IsGzip(encoding);
        if (!gzip && encoding.Length > 0 && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return Fail("body", "The request body's Content-Encoding is not supported: send it as it is or gzip-compressed.");
        }

        // A gzip body is held to the limit twice: on the wire (it may hold nothing but empty blocks) and
        // once decompressed, so a small body cannot expand into a large one.
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                {
                    return Fail("body", TooLarge);
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (IOException exception) when (RequestBodyFailure.IsUnmarked(exception))
        {
            // Answered by the route's filter as any other request it could not read.
            throw RequestBodyFailure.AsBadRequest(exception);
        }

        using var decompressed = new MemoryStream();
        if (gzip)
        {
            // An empty body is no gzip either (gunzip refuses it): it is not read as the empty object.
            switch (GzipBody.Decompress(buffer.ToArray(), MaxBodyBytes, decompressed))
            {
                case GzipBody.Outcome.TooLarge:
                    return Fail("body", TooLarge);
                case GzipBody.Outcome.Corrupt:
                    return Fail("body", "The request body is not valid gzip.");
            }
        }

        var content = gzip ? decompressed : buffer;
        try
        {
            var bytes = content.Length == 0 ? "{}"u8.ToArray() : content.ToArray();
            if (bytes.AsSpan().StartsWith(JsonBody.Utf8Bom))
            {
                // Written by a StreamWriter with Encoding.UTF8 or by PowerShell 5: not part of the JSON.
                bytes = bytes[JsonBody.Utf8Bom.Length..];
            }

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

        // The grains refuse a NUL in any text they are given (Contracts/StoredText.cs): refused here, it is a
        // bad request the caller can see, not a failed call.
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            Errors[name] = [$"The {name} field holds a NUL character (U+0000)."];
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

    /// <summary>
    /// An optional object of flags (<c>InfoRequestParameters</c>): each of <paramref name="flags"/> that it holds
    /// must be a boolean or null; its other members are not read. True when the object was sent and is valid.
    /// </summary>
    public bool OptionalFlags(string name, params ReadOnlySpan<string> flags)
    {
        if (_document is null || !_document.RootElement.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            Errors[name] = [$"The {name} field must be an object."];
            return false;
        }

        var valid = true;
        foreach (var flag in flags)
        {
            if (value.TryGetProperty(flag, out var member) && member.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
            {
                Errors[$"{name}.{flag}"] = [$"The {name}.{flag} field must be a boolean."];
                valid = false;
            }
        }

        return valid;
    }

    public void Dispose() => _document?.Dispose();

    /// <summary><c>gzip</c> in any case (the Unity SDK sends <c>GZIP</c>), or its old name <c>x-gzip</c>.</summary>
    private static bool IsGzip(string encoding) =>
        encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase) || encoding.Equals("x-gzip", StringComparison.OrdinalIgnoreCase);

    private static PlayFabRequestReader Fail(string field, string message)
    {
        var reader = new PlayFabRequestReader(null);
        reader.Errors[field] = [message];
        return reader;
    }
}
