using System.Reflection;
using Entitlements.Gateway.Auth;
using Microsoft.AspNetCore.OpenApi;
using Scalar.AspNetCore;

namespace Entitlements.Gateway.OpenApi;

/// <summary>
/// The gateway's OpenAPI document (<c>/openapi/v1.json</c>) and its interactive reference page
/// (<c>/scalar/</c>, whose script is served from the package: nothing from a CDN). Both are public, like the key
/// set: they describe the contract, not anyone's data. <c>OpenApi:Enabled=false</c> maps neither.
/// </summary>
public static class ApiDocsExtensions
{
    public const string DocumentName = "v1";
    public const string ReferencePath = "/scalar";

    public static WebApplicationBuilder AddApiDocs(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var security = new BearerSecurityTransformer();
        builder.Services.AddOpenApi(DocumentName, options =>
        {
            options.CreateSchemaReferenceId = type =>
                type.Type.GetCustomAttribute<SchemaNameAttribute>()?.Name ?? OpenApiOptions.CreateDefaultSchemaReferenceId(type);
            options.AddSchemaTransformer<WireSchemaTransformer>();
            options.AddDocumentTransformer(security);
            options.AddOperationTransformer(security);
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Entitlement cluster gateway";
                document.Info.Description = "RallyHere's inventory and users routes, AccelByte-shaped entitlements, PlayFab's Xbox routes, notifications and operator routes.";
                // The document is served from wherever the gateway is reached: no absolute server address.
                document.Servers = [];
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    public static WebApplication MapApiDocs(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Configuration.GetValue("OpenApi:Enabled", true))
        {
            return app;
        }

        // /openapi/{documentName}.json, and the reference page reading the same address.
        app.MapOpenApi().WithMetadata(AnonymousAccess.Instance);
        // Offline: the script is the package's own; no web fonts, telemetry or hosted AI features are fetched from elsewhere.
        app.MapScalarApiReference(ReferencePath, options => options
                .WithTitle("Entitlement cluster API")
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                .DisableMcp()
                .HideDeveloperTools())
            .WithMetadata(AnonymousAccess.Instance);
        return app;
    }
}
