using System.Globalization;
using Entitlements.Contracts;
using Entitlements.Gateway.RallyHere;

namespace Entitlements.Gateway.Validation;

/// <summary>
/// Reads query parameters (the last value of each) and collects every problem as a FastAPI-style
/// validation error under <c>["query", name]</c>.
/// </summary>
public sealed class QueryFieldReader(IQueryCollection query, List<ValidationErrorDetail> errors)
{
    public string? Text(string name, bool required, int maxLength, int minLength = 0)
    {
        var text = Last(name);
        if (text is null)
        {
            if (required)
            {
                Add(name, "Field required", "missing");
            }

            return null;
        }

        return JsonFieldReader.CheckLength(errors, ["query", name], text, minLength, maxLength);
    }

    /// <summary>A UUID naming a player to link: as <see cref="Uuid"/>, and the nil UUID, which is no player's (<see cref="PlayerUuids"/>), refused.</summary>
    public Guid? PlayerUuid(string name)
    {
        var uuid = Uuid(name);
        if (uuid == Guid.Empty)
        {
            Add(name, JsonFieldReader.NilPlayerUuidMessage, "value_error");
            return null;
        }

        return uuid;
    }

    public Guid? Uuid(string name)
    {
        if (Last(name) is not { } text)
        {
            return null;
        }

        if (Guid.TryParse(text, CultureInfo.InvariantCulture, out var uuid))
        {
            return uuid;
        }

        Add(name, "Input should be a valid UUID", "uuid_parsing");
        return null;
    }

    /// <summary>
    /// An integer as FastAPI reads one from the query: pydantic's lax reading of a string (surrounding whitespace,
    /// a leading <c>+</c>, leading zeros and a fraction of zeros dropped), the same as for the bodies' integer strings.
    /// A NUL anywhere in it is <c>int_parsing</c> (.NET's own parse would overlook a trailing one).
    /// </summary>
    public long? WholeNumber(string name, long minimum, long maximum) =>
        Last(name) is { } text ? JsonFieldReader.WholeNumberText(errors, ["query", name], text, minimum, maximum) : null;

    public T? Enum<T>(string name, bool required) where T : struct, Enum
    {
        var text = Last(name);
        if (text is null)
        {
            if (required)
            {
                Add(name, "Field required", "missing");
            }

            return null;
        }

        if (WireNames<T>.TryParse(text, out var value))
        {
            return value;
        }

        Add(name, JsonFieldReader.EnumMessage<T>(), "enum");
        return null;
    }

    /// <summary>A parameter's value; given more than once, the last, as Starlette's query mapping (and so FastAPI) reads a scalar.</summary>
    private string? Last(string name) => query.TryGetValue(name, out var values) && values.Count > 0 ? values[^1] : null;

    private void Add(string name, string message, string type) => errors.Add(new ValidationErrorDetail(["query", name], message, type));
}
