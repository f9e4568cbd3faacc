using Entitlements.Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace Entitlements.Gateway.Auth;

public static class AuthServiceExtensions
{
    /// <summary>
    /// Token validation and its cache, the key set, CORS for the allowed origins (<see cref="AllowedOriginsCors"/>)
    /// and, when enabled, the development issuer, with a warning at start while it is on. The key sources are checked at start (<see cref="AuthOptionsValidator"/>).
    /// </summary>
    public static AuthOptions AddGatewayAuth(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection(AuthOptions.SectionName);
        var options = section.Get<AuthOptions>() ?? new AuthOptions();
        builder.Services.AddOptions<AuthOptions>().Bind(section)
            .Validate(_ => ConfigurationLists.HoldsNoPlainValue(section, nameof(AuthOptions.AllowedOrigins)), ConfigurationLists.Refusal($"{AuthOptions.SectionName}:{nameof(AuthOptions.AllowedOrigins)}"))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        builder.Services.AddHttpClient();
        builder.Services.AddSingleton<SigningKeySet>();
        builder.Services.AddSingleton<ValidatedTokenCache>();
        builder.Services.AddSingleton<AuthMetrics>();
        builder.Services.AddSingleton<JwtValidator>();
        builder.Services.AddSingleton<CredentialWatch>();
        builder.Services.AddAllowedOriginsCors(options);
        builder.Services.AddHostedService<AuthStartupWarnings>();
        if (options.DevelopmentIssuerEnabled)
        {
            builder.Services.AddSingleton<DevelopmentIssuer>();
        }

        return options;
    }

    /// <summary>The development issuer's public keys at <c>/.well-known/jwks.json</c>, open to everyone.</summary>
    public static IEndpointRouteBuilder MapDevelopmentIssuer(this IEndpointRouteBuilder app)
    {
        app.MapGet("/.well-known/jwks.json", (DevelopmentIssuer issuer) => TypedResults.Json(issuer.Jwks()))
            .WithName("development_jwks")
            .WithMetadata(AnonymousAccess.Instance);
        return app;
    }
}
