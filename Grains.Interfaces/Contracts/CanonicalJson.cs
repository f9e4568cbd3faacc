using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Entitlements.Contracts;

/// <summary>
/// JSON with object keys in ordinal order and no whitespace, so that equal documents compare equal as text.
/// Strings keep the caller's characters: only what JSON requires is escaped (a quote, a backslash, a control
/// character), so the size measured and stored is that of the caller's text, not of <c>\uXXXX</c> escapes of
/// every non-ASCII or HTML-sensitive character (<see cref="Utf8JsonWriter"/>'s default encoder writes those).
/// The one form of an entitlement event's platform data: the gateway writes a request's in it, and the grains
/// rewrite an Orleans client's in it, so that the same event compares equal and is stored the same whoever sends it.
/// </summary>
public static class CanonicalJson
{
    public static string Write(JsonElement element)
    {
        var builder = new StringBuilder();
        Write(builder, element);
        return builder.ToString();
    }

    private static void Write(StringBuilder builder, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                builder.Append('{');
                var first = true;
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        builder.Append(',');
                    }

                    first = false;
                    WriteString(builder, property.Name);
                    builder.Append(':');
                    Write(builder, property.Value);
                }

                builder.Append('}');
                break;
            case JsonValueKind.Array:
                builder.Append('[');
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (index++ > 0)
                    {
                        builder.Append(',');
                    }

                    Write(builder, item);
                }

                builder.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(builder, element.GetString()!);
                break;
            default:
                // A number as the caller wrote it; true, false, null.
                builder.Append(element.GetRawText());
                break;
        }
    }

    /// <summary>
    /// The UTF-8 bytes <paramref name="text"/> takes written as a JSON string in this form, its quotes included:
    /// counted, not written, for the size of text that may be large.
    /// </summary>
    public static long StringByteCount(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        long bytes = 2 + Encoding.UTF8.GetByteCount(text);
        foreach (var c in text)
        {
            // An escaped character is one byte of UTF-8 (it is ASCII), written as its whole escape.
            bytes += Escape(c) is { } escape ? escape.Length - 1 : 0;
        }

        return bytes;
    }

    private static void WriteString(StringBuilder builder, string text)
    {
        builder.Append('"');
        foreach (var c in text)
        {
            if (Escape(c) is { } escape)
            {
                builder.Append(escape);
            }
            else
            {
                builder.Append(c);
            }
        }

        builder.Append('"');
    }

    /// <summary>How this form writes <paramref name="c"/> inside a JSON string when not as itself: a quote, a backslash and the control characters; null for any other.</summary>
    private static string? Escape(char c) => c switch
    {
        '"' => "\\\"",
        '\\' => "\\\\",
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        '\b' => "\\b",
        '\f' => "\\f",
        < ' ' => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
        _ => null,
    };
}
