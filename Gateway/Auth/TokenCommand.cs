using System.Globalization;
using Entitlements.Storage;
using Microsoft.Extensions.Options;

namespace Entitlements.Gateway.Auth;

/// <summary>
/// <c>Gateway token [--permissions "inv:* user:*"] [--player &lt;uuid&gt;] [--ttl 1h]</c>: prints an access
/// token signed by the development issuer of the configured data directory, then exits.
/// Other arguments are configuration, as for the server (<c>--Storage:DataDirectory=...</c>).
/// </summary>
public static class TokenCommand
{
    public const string Name = "token";

    private const string Usage = "Usage: token [--permissions \"inv:* user:*\"] [--player <uuid>] [--ttl 1h|30m|3600s|7d] [--Storage:DataDirectory=<dir>]";

    /// <summary>
    /// The longest <c>--ttl</c>: a token cannot be revoked before it expires (short of replacing the signing
    /// key, which ends every token), so a forgotten one must not stay good for years.
    /// </summary>
    public const int MaxLifetimeDays = 366;

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var permissions = new List<string>();
        Guid? player = null;
        var lifetime = TimeSpan.FromHours(1);
        string? ttlText = null;
        var configuration = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--help" or "-h" or "-?":
                    // Before anything is read or created: taken as configuration, it minted a token and made the
                    // data directory's signing key wherever it was run.
                    output.WriteLine(Usage);
                    output.WriteLine("Prints an access token signed by the development issuer of the data directory, then exits.");
                    return 0;
                case "--permissions" when value is not null:
                    permissions.AddRange(value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries));
                    i++;
                    break;
                case "--player" when value is not null && Guid.TryParse(value, CultureInfo.InvariantCulture, out var parsed):
                    player = parsed;
                    i++;
                    break;
                case "--ttl" when value is not null && TryParseDuration(value, out var ttl):
                    if (ttl > TimeSpan.FromDays(MaxLifetimeDays))
                    {
                        error.WriteLine($"--ttl: at most {MaxLifetimeDays}d (got '{value}'): a token cannot be revoked before it expires. {Usage}");
                        return 2;
                    }

                    lifetime = ttl;
                    ttlText = value;
                    i++;
                    break;
                case "--permissions" or "--player" or "--ttl":
                    error.WriteLine($"{args[i]}: missing or invalid value. {Usage}");
                    return 2;
                default:
                    configuration.Add(args[i]);
                    break;
            }
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [.. configuration], ContentRootPath = AppContext.BaseDirectory });
        var auth = builder.Configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new AuthOptions();
        if (!auth.DevelopmentIssuerEnabled)
        {
            error.WriteLine("The development issuer is disabled in this configuration (Auth:JwksFile or Auth:JwksUrl is set): get tokens from your issuer.");
            return 1;
        }

        // The gateway refuses a token that lives longer than Auth:MaxTokenLifetime: do not print one.
        if (lifetime > auth.MaxTokenLifetime)
        {
            error.WriteLine($"--ttl: at most Auth:MaxTokenLifetime, {auth.MaxTokenLifetime} (got '{ttlText ?? "1h"}'): the gateway refuses a token that lives longer. {Usage}");
            return 2;
        }

        var storage = builder.Configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();
        var issuer = new DevelopmentIssuer(Options.Create(storage), Options.Create(auth), TimeProvider.System);
        output.WriteLine(issuer.Mint(permissions, player, lifetime));
        return 0;
    }

    /// <summary><c>90s</c>, <c>30m</c>, <c>1h</c>, <c>7d</c>.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(text);
        duration = default;
        if (text.Length < 2 || !long.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount <= 0 || amount > 10_000_000)
        {
            return false;
        }

        duration = text[^1] switch
        {
            's' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            'd' => TimeSpan.FromDays(amount),
            _ => TimeSpan.Zero,
        };
        return duration > TimeSpan.Zero;
    }
}
