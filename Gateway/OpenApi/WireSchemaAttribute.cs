using Microsoft.OpenApi;

namespace Entitlements.Gateway.OpenApi;

/// <summary>
/// Describes a DTO property in the OpenAPI document where its CLR type says too little about the wire
/// value (an enum written as a string, a timestamp kept as text, a free JSON object).
/// <see cref="WireSchemaTransformer"/> puts <see cref="Describe"/> in place of the generated schema.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public abstract class WireSchemaAttribute : Attribute
{
    /// <param name="nullable">Whether the property may be null.</param>
    public abstract IOpenApiSchema Describe(bool nullable);

    /// <summary><paramref name="schema"/> itself, or "it or null" in the <c>anyOf</c> form RallyHere's schemas use.</summary>
    protected static IOpenApiSchema OrNull(IOpenApiSchema schema, bool nullable) =>
        nullable ? new OpenApiSchema { AnyOf = [schema, new OpenApiSchema { Type = JsonSchemaType.Null }] } : schema;
}
