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
    private const string DocumentPath = "/openapi/{documentName}.json";

    public static WebApplicationBuilder AddApiDocs(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var security = new BearerSecurityTransformer();
        builder.Services.AddSingleton<ApiDocument>();
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

        // /openapi/{documentName}.json, as MapOpenApi maps it, but built once (ApiDocument); the reference page
        // reads the same address.
        app.MapGet(DocumentPath, ServeDocumentAsync).ExcludeFromDescription().WithMetadata(AnonymousAccess.Instance);
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

    /// <summary>The document for <c>v1</c> (any case, as the library's route); for another name the library's 404.</summary>
    private static async Task ServeDocumentAsync(HttpContext context)
    {
        var name = (context.GetRouteValue("documentName") as string ?? "").ToLowerInvariant();
        if (name != DocumentName)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.ContentType = "text/plain;charset=utf-8";
            await context.Response.WriteAsync($"No OpenAPI document with the name '{name}' was found.", context.RequestAborted);
            return;
        }

        var json = await context.RequestServices.GetRequiredService<ApiDocument>().JsonAsync(context.RequestAborted);
        context.Response.ContentType = "application/json;charset=utf-8";
        await context.Response.Body.WriteAsync(json, context.RequestAborted);
    }
}
