namespace Entitlements.Gateway.OpenApi;

/// <summary>
/// The peer's schema lists the property as optional (it has a default, or may be left out), though the
/// gateway always writes it; <see cref="WireSchemaTransformer"/> leaves it out of the schema's <c>required</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class OptionalOnWireAttribute : Attribute;
