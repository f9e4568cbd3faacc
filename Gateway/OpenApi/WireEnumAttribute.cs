using System.Text.Json.Nodes;
using Entitlements.Contracts;
using Microsoft.OpenApi;

namespace Entitlements.Gateway.OpenApi;

/// <summary>
/// The property holds one of <typeparamref name="TEnum"/>'s wire spellings (<see cref="WireNames{T}"/>): a
/// string enum listing every spelling in declaration order, a component schema named after the enum.
/// </summary>
public sealed class WireEnumAttribute<TEnum> : WireSchemaAttribute
    where TEnum : struct, Enum
{
    /// <summary>The metadata key by which ASP.NET's generator turns a schema into a component and a <c>$ref</c>.</summary>
    private const string SchemaIdKey = "x-schema-id";

    public override IOpenApiSchema Describe(bool nullable)
    {
        var name = typeof(TEnum).Name;
        return OrNull(
            new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Title = name,
                Enum = [.. WireNames<TEnum>.All.Select(spelling => (JsonNode)JsonValue.Create(spelling))],
                Metadata = new Dictionary<string, object>(StringComparer.Ordinal) { [SchemaIdKey] = name },
            },
            nullable);
    }
}
