using Microsoft.OpenApi;

namespace Entitlements.Gateway.OpenApi;

/// <summary>A validation error's location: an array of field names and item indexes.</summary>
public sealed class WireLocationAttribute : WireSchemaAttribute
{
    public override IOpenApiSchema Describe(bool nullable) =>
        OrNull(
            new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Items = new OpenApiSchema { AnyOf = [new OpenApiSchema { Type = JsonSchemaType.String }, new OpenApiSchema { Type = JsonSchemaType.Integer }] },
            },
            nullable);
}
