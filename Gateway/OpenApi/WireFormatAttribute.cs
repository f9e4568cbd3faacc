using Microsoft.OpenApi;

namespace Entitlements.Gateway.OpenApi;

/// <summary>A string property in a known format, e.g. <c>date-time</c> for RallyHere's timestamps kept as text.</summary>
public sealed class WireFormatAttribute(string format) : WireSchemaAttribute
{
    public string Format { get; } = format;

    public override IOpenApiSchema Describe(bool nullable) =>
        OrNull(new OpenApiSchema { Type = JsonSchemaType.String, Format = Format }, nullable);
}
