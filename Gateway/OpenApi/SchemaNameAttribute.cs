namespace Entitlements.Gateway.OpenApi;

/// <summary>The name of the type's schema in the OpenAPI document: the peer's own name for the shape.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SchemaNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
