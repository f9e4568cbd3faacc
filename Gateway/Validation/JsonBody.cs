using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Entitlements.Contracts;
using Entitlements.Gateway.RallyHere;
using Microsoft.AspNetCore.Http.Features;

namespace Entitlements.Gateway.Validation;

/// <summary>Reads a request body as one JSON object, reporting problems the way FastAPI does.</summary>
public static class JsonBody
{
    /// <summary>The deepest nesting a request body may have.</summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// Reads the body as one JSON object, no more than <paramref name="maxBytes"/> of it: <c>TooLarge</c> when it
    /// holds more (see <see cref="ReadLimitedAsync"/>); an empty body, or one whose <c>Content-Type</c> is not
    /// JSON, is refused in FastAPI's words; then it is decoded as Python does (<see cref="DecodeAsPythonDoes"/>)
    /// and parsed (<see cref="ParseObject"/>). A body Python's <c>json.loads</c> raises a plain <c>ValueError</c>
    /// on is <c>NotParsed</c>: FastAPI answers it 400 (see <see cref="RallyHereResults.BodyNotParsed"/>) before
    /// looking at any field.
    /// </summary>
    public static async Task<(JsonDocument? Document, List<ValidationErrorDetail> Errors, bool TooLarge, bool NotParsed)> ReadObjectAsync(
        HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await ReadLimitedAsync(request, maxBytes, cancellationToken) is not { } bytes)
        {
            return (null, [], true, false);
        }

        if (bytes.Length == 0)
        {
            return (null, [BodyMissing], false, false);
        }

        if (!IsJsonContentType(request.Headers.ContentType))
        {
            // FastAPI (since 0.65.2, the fix of CVE-2021-32677) hands any other body to validation as bytes,
            // which are not an object. A page on another site can send text/plain or a form without a CORS
            // preflight, with the Authorization cookie: such a body must never be read as a request.
            return (null, [NotAnObject], false, false);
        }

        // Python's json.loads(bytes), which FastAPI uses, decodes the whole body before it reads any JSON: as
        // UTF-8, UTF-16 or UTF-32, told from a byte order mark or the NULs of the first bytes. Its
        // UnicodeDecodeError is no JSONDecodeError: FastAPI answers it 400, whatever else is wrong with the body.
        if (DecodeAsPythonDoes(bytes) is not { } body)
        {
            return (null, [], false, true);
        }

        var (document, errors, notParsed) = ParseObject(body);
        return (document, errors, false, notParsed);
    }

    /// <summary>
    /// The body's bytes, chunked or not, or null when it holds more than <paramref name="maxBytes"/>: a body whose
    /// Content-Length says more, or that turns out to hold more, is refused as soon as that is known, without
    /// waiting for the rest, of which nothing is held.
    /// </summary>
    private static async Task<byte[]?> ReadLimitedAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                // Kestrel drains an unread body after the answer, up to its own limit (30 MB by default): held to
                // ours, it closes the connection instead. (Only here: it counts a chunked body's framing too.)
                limit.MaxRequestBodySize = maxBytes;
            }

            return null;
        }

        using var buffer = new MemoryStream((int)Math.Min(request.ContentLength ?? 0, maxBytes));
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (IOException exception) when (RequestBodyFailure.IsUnmarked(exception))
        {
            throw RequestBodyFailure.AsBadRequest(exception);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Parses a decoded body (UTF-8, as <see cref="DecodeAsPythonDoes"/> gives it) as one JSON object: the
    /// document, or FastAPI's 422 problems (<c>json_invalid</c> at Python's character position; a body that is
    /// <c>null</c> is missing, any other value not an object), or <c>NotParsed</c> where Python meets an integer
    /// of more digits than it converts (<see cref="CanonicalJson.MaxIntegerDigits"/>).
    /// </summary>
    private static (JsonDocument? Document, List<ValidationErrorDetail> Errors, bool NotParsed) ParseObject(ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException exception)
        {
            var json = body.Span;
            if (IntegerPythonCannotReadBeforeFault(json))
            {
                // Python reads the number, and fails on it, before it reaches what is malformed.
                return (null, [], true);
            }

            var position = CharacterIndex(json, LineStart(json, exception.LineNumber ?? 0) + (exception.BytePositionInLine ?? 0));
            return (null, [new ValidationErrorDetail(["body", position], "JSON decode error", "json_invalid")], false);
        }

        var (integerPythonCannotRead, unreadableString) = Check(body.Span, integers: true);
        if (integerPythonCannotRead)
        {
            document.Dispose();
            return (null, [], true);
        }

        if (unreadableString is { } offset)
        {
            // Valid JSON syntax, but bytes that are not UTF-8, or an escape such as "\ud800" (a lone
            // surrogate), make a string .NET cannot read.
            document.Dispose();
            return (null, [new ValidationErrorDetail(["body", CharacterIndex(body.Span, offset)], "JSON decode error", "json_invalid")], false);
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            // FastAPI hands the decoded body to validation, and a required body whose value is None (the
            // JSON `null`) is missing, like an empty one; any other value that is not an object is not a model.
            var kind = document.RootElement.ValueKind;
            document.Dispose();
            return (null, [kind == JsonValueKind.Null ? BodyMissing : NotAnObject], false);
        }

        return (document, [], false);
    }

    /// <summary>
    /// Whether FastAPI reads a body with this <c>Content-Type</c> as JSON: when there is none (or it is empty),
    /// or its media type is <c>application/json</c> or <c>application/&lt;anything&gt;+json</c>, in any case and
    /// with any parameters. Like Python's <c>email.message</c>, which FastAPI asks, only the first header counts,
    /// and a media type that is not one <c>type/subtype</c> pair is <c>text/plain</c>.
    /// </summary>
    public static bool IsJsonContentType(Microsoft.Extensions.Primitives.StringValues contentType)
    {
        var value = contentType.Count > 0 ? contentType[0] : null;
        if (string.IsNullOrEmpty(value))
        {
            return true;
        }

        var mediaType = value.Split(';', 2)[0].Trim().ToLowerInvariant();
        var parts = mediaType.Split('/');
        return parts.Length == 2 && parts[0] == "application" && (parts[1] == "json" || parts[1].EndsWith("+json", StringComparison.Ordinal));
    }

    private static ValidationErrorDetail BodyMissing => new(["body"], "Field required", "missing");

    private static ValidationErrorDetail NotAnObject =>
        new(["body"], "Input should be a valid dictionary or object to extract fields from", "model_attributes_type");

    /// <summary>The UTF-8 byte order mark, which a body may start with and which is no part of its JSON.</summary>
    internal static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>
    /// The body as Python's <c>json.loads(bytes)</c> decodes it (<c>json.detect_encoding</c>, then the
    /// <c>surrogatepass</c> error handler), in UTF-8 without its byte order mark, or null where Python's decoding
    /// fails. A body starting with a UTF-32 or UTF-16 byte order mark (the UTF-32 one first: <c>FF FE 00 00</c>
    /// is UTF-32) is in that encoding, the mark dropped; one with a NUL in its first two bytes, when it has 2
    /// bytes or at least 4, is UTF-16 or UTF-32 without a mark, the pattern of NULs telling which and in which
    /// byte order; any other is UTF-8, a leading UTF-8 mark dropped (positions count from after any mark, as
    /// Python's do). A lone surrogate, which <c>surrogatepass</c> takes, is kept as its three bytes
    /// (<c>ED A0 80</c> for U+D800): not UTF-8, so such a string stays one the gateway cannot read.
    /// </summary>
    private static ReadOnlyMemory<byte>? DecodeAsPythonDoes(byte[] body)
    {
        ReadOnlySpan<byte> bytes = body;
        var (unit, bigEndian, mark) = bytes switch
        {
            [0xFF, 0xFE, 0, 0, ..] => (4, false, 4),
            [0, 0, 0xFE, 0xFF, ..] => (4, true, 4),
            [0xFF, 0xFE, ..] => (2, false, 2),
            [0xFE, 0xFF, ..] => (2, true, 2),
            [0, 0, _, _, ..] => (4, true, 0),
            [0, _, _, _, ..] or [0, _] => (2, true, 0),
            [_, 0, 0, 0, ..] => (4, false, 0),
            [_, 0, _, _, ..] or [_, 0] => (2, false, 0),
            _ => (1, false, 0),
        };

        if (unit == 1)
        {
            if (!Utf8.IsValid(bytes) && !Utf8WithLoneSurrogates(bytes))
            {
                return null;
            }

            return bytes.StartsWith(Utf8Bom) ? body.AsMemory(Utf8Bom.Length) : body;
        }

        bytes = bytes[mark..];
        if (bytes.Length % unit != 0)
        {
            // "truncated data": surrogatepass takes no part of a unit.
            return null;
        }

        var text = new List<byte>(bytes.Length);
        Span<byte> encoded = stackalloc byte[4];
        for (var i = 0; i < bytes.Length; i += unit)
        {
            var value = Unit(bytes[i..], unit, bigEndian);
            if (unit == 2 && char.IsHighSurrogate((char)value) && i + 4 <= bytes.Length
                && Unit(bytes[(i + 2)..], 2, bigEndian) is var low && char.IsLowSurrogate((char)low))
            {
                // UTF-16 pairs surrogates; UTF-32 has none to pair, and surrogatepass takes each alone.
                value = (uint)char.ConvertToUtf32((char)value, (char)low);
                i += 2;
            }

            if (value > 0x10FFFF)
            {
                // "code point not in range(0x110000)"
                return null;
            }

            text.AddRange(encoded[..EncodeAsUtf8(value, encoded)]);
        }

        return text.ToArray();
    }

    /// <summary>The code unit of <paramref name="unit"/> bytes at the start of <paramref name="bytes"/>.</summary>
    private static uint Unit(ReadOnlySpan<byte> bytes, int unit, bool bigEndian) => unit == 2
        ? bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : BinaryPrimitives.ReadUInt16LittleEndian(bytes)
        : bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);

    /// <summary>
    /// Writes a code point, a lone surrogate included (as the three bytes UTF-8's pattern gives it), in UTF-8;
    /// returns the number of bytes written.
    /// </summary>
    private static int EncodeAsUtf8(uint value, Span<byte> destination)
    {
        if (value < 0x80)
        {
            destination[0] = (byte)value;
            return 1;
        }

        if (value < 0x800)
        {
            destination[0] = (byte)(0xC0 | (value >> 6));
            destination[1] = (byte)(0x80 | (value & 0x3F));
            return 2;
        }

        if (value < 0x10000)
        {
            destination[0] = (byte)(0xE0 | (value >> 12));
            destination[1] = (byte)(0x80 | ((value >> 6) & 0x3F));
            destination[2] = (byte)(0x80 | (value & 0x3F));
            return 3;
        }

        destination[0] = (byte)(0xF0 | (value >> 18));
        destination[1] = (byte)(0x80 | ((value >> 12) & 0x3F));
        destination[2] = (byte)(0x80 | ((value >> 6) & 0x3F));
        destination[3] = (byte)(0x80 | (value & 0x3F));
        return 4;
    }

    /// <summary>
    /// Whether Python decodes <paramref name="body"/> as UTF-8 without an error: its <c>surrogatepass</c> takes
    /// the three bytes of a surrogate (U+D800 to U+DFFF), which UTF-8 does not allow, as that lone surrogate.
    /// </summary>
    private static bool Utf8WithLoneSurrogates(ReadOnlySpan<byte> body)
    {
        while (!body.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(body, out _, out var consumed) != OperationStatus.Done)
            {
                if (body.Length < 3 || body[0] != 0xED || body[1] is < 0xA0 or > 0xBF || body[2] is < 0x80 or > 0xBF)
                {
                    return false;
                }

                consumed = 3;
            }

            body = body[consumed..];
        }

        return true;
    }

    /// <summary>The byte offset at which line <paramref name="line"/> (0-based, lines end with LF) starts.</summary>
    private static long LineStart(ReadOnlySpan<byte> json, long line)
    {
        var start = 0;
        for (var n = 0L; n < line; n++)
        {
            var end = json[start..].IndexOf((byte)'\n');
            if (end < 0)
            {
                break;
            }

            start += end + 1;
        }

        return start;
    }

    /// <summary>
    /// The position FastAPI reports for a byte offset: Python's index into the decoded text, in
    /// characters (code points), from the start of the body, whatever line it is on.
    /// </summary>
    private static long CharacterIndex(ReadOnlySpan<byte> json, long byteOffset)
    {
        var characters = 0L;
        foreach (var b in json[..(int)Math.Min(byteOffset, json.Length)])
        {
            // Every byte but a UTF-8 continuation byte (10xxxxxx) starts a character.
            if ((b & 0xC0) != 0x80)
            {
                characters++;
            }
        }

        return characters;
    }

    /// <summary>
    /// The offset of the first byte that is not UTF-8, else of the first string or property name that is
    /// not valid UTF-16 once unescaped (a lone surrogate such as <c>"\ud800"</c>), or null when every string
    /// can be read. The parser accepts both; reading such a string later throws.
    /// </summary>
    public static long? FindUnreadableString(ReadOnlySpan<byte> json) => Check(json, integers: false).UnreadableString;

    /// <summary>
    /// <see cref="FindUnreadableString"/>, and with <paramref name="integers"/> whether the (valid) JSON holds an
    /// integer Python's <c>json.loads</c> cannot read, in the one pass that reads every string. Such an integer
    /// counts first wherever it is: Python reads a lone surrogate and fails on the number.
    /// </summary>
    private static (bool IntegerPythonCannotRead, long? UnreadableString) Check(ReadOnlySpan<byte> json, bool integers)
    {
        if (!Utf8.IsValid(json))
        {
            var offset = 0;
            while (Rune.DecodeFromUtf8(json[offset..], out _, out var consumed) == OperationStatus.Done)
            {
                offset += consumed;
            }

            return (false, offset);
        }

        long? unreadable = null;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.Number)
            {
                // Only a token longer than the most digits can have more of them: nothing more for others.
                if (integers && reader.ValueSpan.Length > CanonicalJson.MaxIntegerDigits && CanonicalJson.IntegerDigits(reader.ValueSpan) > CanonicalJson.MaxIntegerDigits)
                {
                    return (true, null);
                }
            }
            else if (unreadable is null && (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName) && reader.ValueIsEscaped)
            {
                try
                {
                    reader.GetString();
                }
                catch (InvalidOperationException)
                {
                    unreadable = reader.TokenStartIndex;
                    if (!integers)
                    {
                        break;
                    }
                }
            }
        }

        return (false, unreadable);
    }

    /// <summary>
    /// Whether Python's <c>json.loads</c>, reading JSON that is malformed, meets an integer it cannot read before
    /// what is malformed: then it raises that <c>ValueError</c>, not a <c>JSONDecodeError</c>. The tokens read
    /// before the fault are Python's too; at the fault, Python reads a number first where a value may start
    /// (<c>1{4301 digits}.</c> is such an integer followed by a stray <c>.</c>).
    /// </summary>
    private static bool IntegerPythonCannotReadBeforeFault(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        var inArray = new Stack<bool>();
        var last = JsonTokenType.None;
        var end = 0;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.Number && CanonicalJson.IntegerDigits(reader.ValueSpan) > CanonicalJson.MaxIntegerDigits)
                {
                    return true;
                }

                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    inArray.Push(reader.TokenType == JsonTokenType.StartArray);
                }
                else if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    inArray.Pop();
                }

                last = reader.TokenType;
                end = (int)reader.BytesConsumed;
            }

            return false;
        }
        catch (JsonException)
        {
        }

        // What Python expects after the last token read: a value at the start, after '[' and after a name's ':';
        // after a value in an array, a ',' and a value; after anything else no value, so no number is read.
        var rest = json[end..].TrimStart(" \t\r\n"u8);
        switch (last)
        {
            case JsonTokenType.None or JsonTokenType.StartArray or JsonTokenType.PropertyName:
                // The reader takes a name's ':' with the name (a name without one is where it stopped).
                break;
            case JsonTokenType.String or JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null
                or JsonTokenType.EndObject or JsonTokenType.EndArray when inArray.Count > 0 && inArray.Peek() && rest.StartsWith(","u8):
                rest = rest[1..].TrimStart(" \t\r\n"u8);
                break;
            default:
                return false;
        }

        return CanonicalJson.IntegerDigits(rest) > CanonicalJson.MaxIntegerDigits;
    }
}
