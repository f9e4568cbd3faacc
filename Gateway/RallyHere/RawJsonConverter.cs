using System.Text.Json;
using System.Text.Json.Serialization;

namespace Entitlements.Gateway.RallyHere;

/// <summary>
/// Writes stored JSON (an event's <c>platform_data</c>) as the text it was kept as. Written as an element
/// through the serializer's encoder, every character outside the Basic Multilingual Plane (an emoji: four
/// bytes of UTF-8) would become two <c>\uXXXX</c> escapes, twelve bytes, so 64 KiB of the caller's JSON
/// could answer as three times that, in every answer and listing row that carries it.
/// </summary>
public sealed class RawJsonConverter : JsonConverter<JsonElement?>
{
    public override bool HandleNull => true;

    public override JsonElement? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : JsonElement.ParseValue(ref reader);

    public override void Write(Utf8JsonWriter writer, JsonElement? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is { } element)
        {
            // The stored text is valid JSON (the gateway wrote it, canonical): no need to check it again.
            writer.WriteRawValue(element.GetRawText(), skipInputValidation: true);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
