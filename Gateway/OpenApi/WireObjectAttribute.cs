using Microsoft.OpenApi;

namespace Entitlements.Gateway.OpenApi;

/// <summary>A JSON object with any members (a <see cref="System.Text.Json.JsonElement"/> that the gateway only passes on).</summary>
public sealed class WireObjectAttribute : WireSchemaAttribute
{
    public override IOpenApiSchema Describe(bool nullable) =>
        OrNull(new OpenApiSchema { Type = JsonSchemaType.Object, AdditionalPropertiesAllowed = true }, nullable);
}
