using System.Globalization;
using System.Runtime.InteropServices;
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
    /// <summary>
    /// The most digits of an integer Python's <c>json.loads</c> reads: CPython (3.11 and later) converts no longer
    /// text to an <c>int</c> by default (<c>sys.int_max_str_digits</c>), and <c>json.loads</c> raises a
    /// <c>ValueError</c> on a longer integer literal. A number with a fraction or an exponent is a float to
    /// Python and has no such limit (<c>1e400</c> is infinity).
    /// </summary>
    public const int MaxIntegerDigits = 4300;

    /// <summary>
    /// The digits Python's <c>json.loads</c> converts as an integer when it reads a number at the start of
    /// <paramref name="json"/> (UTF-8), its sign not counted; 0 when no number starts there or Python reads
    /// it as a float. As Python's scanner reads it: an optional <c>-</c>, then <c>0</c> alone or a run of
    /// digits; a float when a <c>.</c> and a digit, or an <c>e</c> or <c>E</c>, an optional sign and a digit,
    /// follow. What comes after does not matter: Python converts the number before it reads further.
    /// </summary>
    public static int IntegerDigits(ReadOnlySpan<byte> json)
    {
        var start = json.StartsWith("-"u8) ? 1 : 0;
        var end = start;
        if (end < json.Length && json[end] == (byte)'0')
        {
            end++;
        }
        else
        {
            while (end < json.Length && char.IsAsciiDigit((char)json[end]))
            {
                end++;
            }
        }

        if (end == start)
        {
            return 0;
        }

        var rest = json[end..];
        var fraction = rest.Length > 1 && rest[0] == (byte)'.' && char.IsAsciiDigit((char)rest[1]);
        var exponentDigit = rest.Length > 1 && (rest[1] == (byte)'+' || rest[1] == (byte)'-') ? 2 : 1;
        var exponent = rest.Length > exponentDigit && (rest[0] == (byte)'e' || rest[0] == (byte)'E') && char.IsAsciiDigit((char)rest[exponentDigit]);
        return fraction || exponent ? 0 : end - start;
    }

    /// <summary>
    /// The digits of the first integer in <paramref name="element"/>, at any depth, that has more than
    /// <see cref="MaxIntegerDigits"/> (Python's <c>json.loads</c> refuses to read it), or 0 when there is none.
    /// Only JSON longer than that can hold one, so a caller that knows its text is shorter need not ask.
    /// </summary>
    public static int UnreadableIntegerDigits(JsonElement element) => Numbers(element)
        .Select(number => JsonMarshal.GetRawUtf8Value(number) is var raw && raw.Length > MaxIntegerDigits && IntegerDigits(raw) is > MaxIntegerDigits and var length ? length : 0)
        .FirstOrDefault(digits => digits > 0);

    /// <summary>
    /// Whether <paramref name="element"/> holds, at any depth, a number beyond what a double holds: one whose
    /// magnitude rounds past <see cref="double.MaxValue"/> (<c>1e400</c>, <c>-1e400</c>, an integer of 310 digits).
    /// Python reads such a float as infinity, which its JSON answers refuse to write, and Go's <c>encoding/json</c>
    /// and Newtonsoft.Json on Mono fail the whole document that holds one.
    /// </summary>
    public static bool HoldsNumberBeyondDouble(JsonElement element) =>
        Numbers(element).Any(number => !double.IsFinite(double.Parse(JsonMarshal.GetRawUtf8Value(number), NumberStyles.Float, CultureInfo.InvariantCulture)));

    /// <summary>The largest magnitude a number of platform data may have, as its messages write it.</summary>
    public const string DoubleMaxText = "1.7976931348623157e308";

    /// <summary>Every number in <paramref name="element"/>, at any depth, in document order.</summary>
    private static IEnumerable<JsonElement> Numbers(JsonElement element)
    {
        var pending = new Stack<JsonElement>();
        pending.Push(element);
        while (pending.TryPop(out var current))
        {
            switch (current.ValueKind)
            {
                case JsonValueKind.Number:
                    yield return current;
                    break;
                case JsonValueKind.Object:
                    foreach (var property in current.EnumerateObject().Reverse())
                    {
                        pending.Push(property.Value);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in current.EnumerateArray().Reverse())
                    {
                        pending.Push(item);
                    }

                    break;
            }
        }
    }

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
