using System.Globalization;
using System.Text.Json;
using Entitlements.Contracts;
using Entitlements.Gateway.RallyHere;

namespace Entitlements.Gateway.Validation;

/// <summary>
/// Reads the fields of one JSON object and collects every problem as a FastAPI/pydantic-style
/// validation error (type names and messages as pydantic spells them), so that a request is either
/// entirely valid or rejected with the full list.
/// </summary>
public sealed class JsonFieldReader(JsonElement obj, IReadOnlyList<object> location, List<ValidationErrorDetail> errors)
{
    private static readonly (string Message, string Type) StringType = ("Input should be a valid string", "string_type");
    private static readonly (string Message, string Type) IntType = ("Input should be a valid integer", "int_type");
    private static readonly (string Message, string Type) UuidType = ("UUID input should be a string, bytes or UUID object", "uuid_type");
    private static readonly (string Message, string Type) DictType = ("Input should be a valid dictionary", "dict_type");
    private static readonly (string Message, string Type) ModelType = ("Input should be a valid dictionary or object to extract fields from", "model_attributes_type");

    public List<ValidationErrorDetail> Errors => errors;

    public string? Text(string name, bool required, int maxLength, int minLength = 0)
    {
        if (!Present(name, required, out var value, StringType))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Add(name, StringType.Message, StringType.Type);
            return null;
        }

        return CheckLength(errors, [.. location, name], value.GetString()!, minLength, maxLength);
    }

    public T? Enum<T>(string name, bool required) where T : struct, Enum
    {
        if (!Present(name, required, out var value, (EnumMessage<T>(), "enum")))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String && WireNames<T>.TryParse(value.GetString(), out var parsed))
        {
            return parsed;
        }

        Add(name, EnumMessage<T>(), "enum");
        return null;
    }

    /// <summary>What a route answers for the nil UUID as a player's (<see cref="PlayerUuids"/>).</summary>
    public const string NilPlayerUuidMessage = "Value error, the nil UUID is no player's";

    /// <summary>A UUID naming a player: as <see cref="Uuid"/>, and the nil UUID, which is no player's (<see cref="PlayerUuids"/>), refused.</summary>
    public Guid? PlayerUuid(string name, bool required)
    {
        var uuid = Uuid(name, required);
        if (uuid == Guid.Empty)
        {
            Add(name, NilPlayerUuidMessage, "value_error");
            return null;
        }

        return uuid;
    }

    public Guid? Uuid(string name, bool required)
    {
        if (!Present(name, required, out var value, UuidType))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Add(name, UuidType.Message, UuidType.Type);
            return null;
        }

        if (!Guid.TryParse(value.GetString(), CultureInfo.InvariantCulture, out var uuid))
        {
            Add(name, "Input should be a valid UUID", "uuid_parsing");
            return null;
        }

        return uuid;
    }

    /// <summary>
    /// A whole number within bounds, or null. An explicit JSON null is absent unless <paramref name="nullable"/>
    /// is false: then it is pydantic's <c>int_type</c>, as for a field typed plain <c>int</c>. As in pydantic's
    /// default (lax) mode, <c>true</c> and <c>false</c> are 1 and 0, and a string holding an integer is that
    /// integer (<see cref="LaxInteger"/>); the bounds then hold as for a number.
    /// </summary>
    public long? WholeNumber(string name, bool required, long minimum, long maximum, bool nullable = true)
    {
        if (!Present(name, required, out var value, IntType, nullable))
        {
            return null;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return CheckRange(name, value.ValueKind == JsonValueKind.True ? 1 : 0, minimum, maximum);
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return WholeNumberText(name, value.GetString()!, minimum, maximum);
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            Add(name, IntType.Message, IntType.Type);
            return null;
        }

        if (value.TryGetInt64(out var number))
        {
            return CheckRange(name, number, minimum, maximum);
        }

        // Like pydantic: a number written with a fraction or an exponent is an integer when its value is
        // whole (2.0, 1e2); decimal keeps every digit, so 2.0000000000000001 is not.
        var isDecimal = value.TryGetDecimal(out var exact);
        if (isDecimal && exact == decimal.Truncate(exact) && exact is >= long.MinValue and <= long.MaxValue)
        {
            return CheckRange(name, (long)exact, minimum, maximum);
        }

        var fractional = isDecimal
            ? exact != decimal.Truncate(exact)
            : value.TryGetDouble(out var real) && Math.Abs(real) < 9.2e18 && real != Math.Floor(real);
        Add(name, fractional ? "Input should be a valid integer, got a number with a fractional part" : "Input should be a valid integer", fractional ? "int_from_float" : "int_type");
        return null;
    }

    private long? WholeNumberText(string name, string text, long minimum, long maximum) =>
        WholeNumberText(errors, [.. location, name], text, minimum, maximum);

    /// <summary>
    /// A string read as pydantic's lax mode reads an integer from one (<see cref="LaxInteger"/>; anything else in it,
    /// a NUL included, is <c>int_parsing</c>), within bounds; or null with the error recorded at <paramref name="loc"/>.
    /// The JSON bodies' integer fields given as strings and the integer query parameters are read so.
    /// </summary>
    public static long? WholeNumberText(List<ValidationErrorDetail> errors, IReadOnlyList<object> loc, string text, long minimum, long maximum)
    {
        ArgumentNullException.ThrowIfNull(errors);
        switch (LaxInteger.Parse(text, out var number))
        {
            case LaxIntegerResult.Parsed:
                return CheckRange(errors, loc, number, minimum, maximum);

            // Beyond 64 bits: past a bound of the field, the bound's error, as pydantic gives; else what a JSON
            // number beyond 64 bits gets, as the ledger cannot hold it.
            case LaxIntegerResult.AboveInt64 when maximum < long.MaxValue:
                return CheckRange(errors, loc, long.MaxValue, minimum, maximum);
            case LaxIntegerResult.BelowInt64 when minimum > long.MinValue:
                return CheckRange(errors, loc, long.MinValue, minimum, maximum);
            case LaxIntegerResult.AboveInt64 or LaxIntegerResult.BelowInt64:
                errors.Add(new ValidationErrorDetail(loc, IntType.Message, IntType.Type));
                return null;
            default:
                errors.Add(new ValidationErrorDetail(loc, "Input should be a valid integer, unable to parse string as an integer", "int_parsing"));
                return null;
        }
    }

    /// <summary>
    /// An object (or null), returned as canonical JSON: keys sorted, no insignificant whitespace; refused
    /// (pydantic's <c>value_error</c>, as a validator of ours) when that JSON is over <paramref name="maxBytes"/> UTF-8 bytes,
    /// or holds a number beyond a double (<see cref="CanonicalJson.HoldsNumberBeyondDouble"/>).
    /// </summary>
    public string? ObjectJson(string name, int maxBytes)
    {
        if (!Present(name, required: false, out var value, DictType))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            Add(name, DictType.Message, DictType.Type);
            return null;
        }

        var json = CanonicalJson.Write(value);
        if (System.Text.Encoding.UTF8.GetByteCount(json) > maxBytes)
        {
            Add(name, $"Value error, {name} may hold at most {maxBytes} bytes of JSON", "value_error");
            return null;
        }

        if (CanonicalJson.HoldsNumberBeyondDouble(value))
        {
            Add(name, $"Value error, {name} may hold no number beyond what a double holds (±{CanonicalJson.DoubleMaxText})", "value_error");
            return null;
        }

        return json;
    }

    /// <summary>A nested object, or null when absent; problems inside it are reported under its name.</summary>
    public JsonFieldReader? Nested(string name, bool required)
    {
        if (!Present(name, required, out var value, ModelType))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            Add(name, ModelType.Message, ModelType.Type);
            return null;
        }

        return new JsonFieldReader(value, [.. location, name], errors);
    }

    public Dictionary<string, string>? StringMap(string name)
    {
        if (!Present(name, required: false, out var value, DictType))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            Add(name, DictType.Message, DictType.Type);
            return null;
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                errors.Add(new ValidationErrorDetail([.. location, name, property.Name], "Input should be a valid string", "string_type"));
                continue;
            }

            // NUL is refused in keys and values alike (pydantic's locations: a key's error ends in "[key]").
            if (CheckLength(errors, [.. location, name, property.Name, "[key]"], property.Name, 0, int.MaxValue) is not null
                && CheckLength(errors, [.. location, name, property.Name], property.Value.GetString()!, 0, int.MaxValue) is { } text)
            {
                map[property.Name] = text;
            }
        }

        return map;
    }

    public static string EnumMessage<T>() where T : struct, Enum
    {
        var names = WireNames<T>.All.Select(n => $"'{n}'").ToList();
        return $"Input should be {string.Join(", ", names.Take(names.Count - 1))} or {names[^1]}";
    }

    /// <summary>
    /// The text when its length in characters (code points, as pydantic and JSON Schema count them) is
    /// within bounds and it holds no NUL, else null with pydantic's error recorded. NUL is refused for every
    /// engine alike: PostgreSQL cannot store it in text, and a request that can never be stored must be a
    /// 422, not a 503 that its sender retries for ever.
    /// </summary>
    public static string? CheckLength(List<ValidationErrorDetail> errors, IReadOnlyList<object> loc, string text, int minimum, int maximum)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(text);
        var length = StoredText.Length(text);
        if (length > maximum)
        {
            errors.Add(new ValidationErrorDetail(loc, $"String should have at most {maximum} character{(maximum == 1 ? "" : "s")}", "string_too_long"));
            return null;
        }

        if (length < minimum)
        {
            errors.Add(new ValidationErrorDetail(loc, $"String should have at least {minimum} character{(minimum == 1 ? "" : "s")}", "string_too_short"));
            return null;
        }

        if (text.Contains('\0', StringComparison.Ordinal))
        {
            errors.Add(new ValidationErrorDetail(loc, $"String should match pattern '{NoNulPattern}'", "string_pattern_mismatch"));
            return null;
        }

        return text;
    }

    /// <summary>The pattern a text field must match: anything but NUL.</summary>
    public const string NoNulPattern = "^[^\\x00]*$";

    public static long? CheckRange(List<ValidationErrorDetail> errors, IReadOnlyList<object> loc, long number, long minimum, long maximum)
    {
        if (number < minimum)
        {
            errors.Add(minimum == 1
                ? new ValidationErrorDetail(loc, "Input should be greater than 0", "greater_than")
                : new ValidationErrorDetail(loc, $"Input should be greater than or equal to {minimum}", "greater_than_equal"));
            return null;
        }

        if (number > maximum)
        {
            errors.Add(new ValidationErrorDetail(loc, $"Input should be less than or equal to {maximum}", "less_than_equal"));
            return null;
        }

        return number;
    }

    private long? CheckRange(string name, long number, long minimum, long maximum) =>
        CheckRange(errors, [.. location, name], number, minimum, maximum);

    /// <summary>
    /// False when the field is absent or null. A required field then records "missing" when absent,
    /// or, like pydantic, the type error <paramref name="nullError"/> when it is an explicit null.
    /// </summary>
    private bool Present(string name, bool required, out JsonElement value, (string Message, string Type) nullError, bool nullable = true)
    {
        var exists = obj.TryGetProperty(name, out value);
        if (exists && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        if (exists && !nullable)
        {
            Add(name, nullError.Message, nullError.Type);
        }
        else if (required)
        {
            var (message, type) = exists ? nullError : ("Field required", "missing");
            Add(name, message, type);
        }

        return false;
    }

    private void Add(string name, string message, string type) => errors.Add(new ValidationErrorDetail([.. location, name], message, type));
}
