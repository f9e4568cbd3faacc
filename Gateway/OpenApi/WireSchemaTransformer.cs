using System.Reflection;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Entitlements.Gateway.OpenApi;

/// <summary>
/// Makes the generated schemas say what goes over the wire: a property marked with a
/// <see cref="WireSchemaAttribute"/> gets that attribute's schema, one marked <see cref="OptionalOnWireAttribute"/>
/// is not required, and integers are integers (ASP.NET's
/// default JSON options read numbers from strings too, which the generator reports as
/// <c>integer | string</c> with a pattern; every surface here writes numbers and reads them as numbers).
/// </summary>
internal sealed class WireSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (schema.Type is { } type && (type & (JsonSchemaType.Integer | JsonSchemaType.Number)) != 0 && (type & JsonSchemaType.String) != 0)
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }

        if (context.JsonTypeInfo.Kind == JsonTypeInfoKind.Object && context.JsonPropertyInfo is null && schema.Properties is { Count: > 0 } properties)
        {
            var nullability = new NullabilityInfoContext();
            foreach (var property in context.JsonTypeInfo.Properties)
            {
                if (property.AttributeProvider is not PropertyInfo member || !properties.ContainsKey(property.Name))
                {
                    continue;
                }

                if (member.GetCustomAttribute<WireSchemaAttribute>() is { } wire)
                {
                    properties[property.Name] = wire.Describe(nullability.Create(member).ReadState == NullabilityState.Nullable);
                }

                if (member.GetCustomAttribute<OptionalOnWireAttribute>() is not null)
                {
                    schema.Required?.Remove(property.Name);
                }
            }
        }

        return Task.CompletedTask;
    }
}
