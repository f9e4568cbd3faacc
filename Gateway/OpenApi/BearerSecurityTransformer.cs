using Entitlements.Gateway.Auth;
using Entitlements.Gateway.RallyHere;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Entitlements.Gateway.OpenApi;

/// <summary>
/// Documents <see cref="AuthMiddleware"/>: the bearer scheme (RallyHere's name for it; the token may come
/// in the <c>Authorization</c> header or cookie), and on every route that declares a permission, the
/// security requirement, the permission in the description and the 403 <c>HzApiErrorModel</c>.
/// </summary>
internal sealed class BearerSecurityTransformer : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    public const string SchemeName = "HTTPBearerHeadersOrCookie";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal);
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "A signed access token in the Authorization header (`Bearer <jwt>`) or in a cookie named Authorization.",
        };
        return Task.CompletedTask;
    }

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<AnonymousAccess>().Any() || metadata.OfType<PermissionRequirement>().LastOrDefault() is not { } requirement || context.Document is not { } document)
        {
            return;
        }

        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, document)] = [] }];
        var who = requirement.SelfAllowed ? " (or, for their own player, a player's token)" : string.Empty;
        var permission = $"Required permission: `{requirement.Permission}` or a wildcard covering it{who}.";
        operation.Description = string.IsNullOrEmpty(operation.Description) ? permission : operation.Description + "\n\n" + permission;

        operation.Responses ??= [];
        if (!operation.Responses.ContainsKey("403"))
        {
            await context.GetOrCreateSchemaAsync(typeof(HzApiErrorModel), cancellationToken: cancellationToken);
            operation.Responses["403"] = new OpenApiResponse
            {
                Description = "Missing, invalid or insufficient credentials",
                Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
                {
                    ["application/json"] = new OpenApiMediaType { Schema = new OpenApiSchemaReference("HzApiErrorModel", document) },
                },
            };
        }
    }
}
