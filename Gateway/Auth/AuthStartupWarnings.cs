using Entitlements.Storage;
using Microsoft.Extensions.Options;

namespace Entitlements.Gateway.Auth;

/// <summary>
/// Says at start, once, what in the auth configuration an operator must not miss: the development issuer
/// being on (it signs and accepts tokens with a key file in the data directory, whatever the environment),
/// and a configured key set without <c>Auth:Issuer</c> or <c>Auth:Audience</c> (then any token those keys
/// sign is accepted, whoever it was issued by or for).
/// </summary>
internal sealed partial class AuthStartupWarnings(
    IOptions<AuthOptions> auth,
    IOptions<StorageOptions> storage,
    ILogger<AuthStartupWarnings> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var options = auth.Value;
        if (options.DevelopmentIssuerEnabled)
        {
            LogDevelopmentIssuerOn(logger, DevelopmentIssuer.KeyPath(storage.Value, options));
        }

        if (options.JwksFile is not null || options.JwksUrl is not null)
        {
            var unset = (options.Issuer, options.Audience) switch
            {
                (null, null) => "Auth:Issuer and Auth:Audience are",
                (null, _) => "Auth:Issuer is",
                (_, null) => "Auth:Audience is",
                _ => null,
            };
            if (unset is not null)
            {
                LogClaimUnchecked(logger, unset);
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The development token issuer is on: this gateway signs and accepts tokens made with the key in {KeyFile}, and whoever can read that file can make a token with any permission. In production set Auth:JwksUrl (or Auth:JwksFile) to your issuer's keys, with Auth:Issuer and Auth:Audience, which turns it off")]
    private static partial void LogDevelopmentIssuerOn(ILogger logger, string keyFile);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Settings} not set: a token signed by a key of Auth:JwksFile or Auth:JwksUrl is accepted whichever issuer or audience it names, including tokens the same issuer made for other services. Set them to your issuer's iss and to the aud it gives this API")]
    private static partial void LogClaimUnchecked(ILogger logger, string settings);
}
