using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;

namespace Entitlements.Webhooks;

/// <summary>
/// Checks the webhooks at start: unique names of <c>[a-z0-9-]</c>, absolute <c>https://</c> URLs
/// (<c>http://</c> only for loopback: signed entitlement data never travels in clear text), secrets of at
/// least 32 characters, sane attempts, backoffs and timeouts. A backoff of at most <see cref="MaxBackoffLimit"/>
/// (a wait longer than about 49.7 days cannot even be started); a timeout of at most <see cref="MaxTimeout"/>, half
/// the replay call's response timeout (<see cref="IWebhookGrain.ReplayResponseTimeout"/>), so that a replay,
/// which waits for the endpoint, is answered rather than timed out into a 503 while the send goes on.
/// </summary>
public sealed class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
    public const int MinSecretLength = 32;

    /// <summary>The longest <see cref="WebhookEndpointOptions.MaxBackoff"/>: one day.</summary>
    public static readonly TimeSpan MaxBackoffLimit = TimeSpan.FromDays(1);

    /// <summary>The longest <see cref="WebhookEndpointOptions.Timeout"/>: half the replay call's response timeout.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.Parse(IWebhookGrain.ReplayResponseTimeout, CultureInfo.InvariantCulture) / 2;

    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Webhooks.Count; i++)
        {
            var webhook = options.Webhooks[i];
            var key = $"Notifications:Webhooks:{i}";
            if (string.IsNullOrEmpty(webhook.Name) || !webhook.Name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                failures.Add($"{key}:Name must be made of a-z, 0-9 and '-' (got '{webhook.Name}').");
            }
            else if (webhook.Name.Length > WebhookEndpointOptions.MaxNameLength)
            {
                // The operator routes take no longer name: such a webhook's dead letters could not be listed or replayed.
                failures.Add($"{key}:Name must be at most {WebhookEndpointOptions.MaxNameLength} characters (got {webhook.Name.Length}).");
            }
            else if (!names.Add(webhook.Name))
            {
                failures.Add($"{key}:Name '{webhook.Name}' is used by another webhook.");
            }

            if (!Uri.TryCreate(webhook.Url, UriKind.Absolute, out var url))
            {
                failures.Add($"{key}:Url must be an absolute URL.");
            }
            else if (url.Scheme != Uri.UriSchemeHttps && !(url.Scheme == Uri.UriSchemeHttp && IsLoopback(url)))
            {
                failures.Add($"{key}:Url must use https:// (http:// is accepted for loopback hosts only).");
            }
            else if (!string.IsNullOrEmpty(url.UserInfo))
            {
                failures.Add($"{key}:Url must not carry credentials; the signature authenticates the sender.");
            }

            if (webhook.Secret.Length < MinSecretLength)
            {
                failures.Add($"{key}:Secret is required and must have at least {MinSecretLength} characters.");
            }

            if (webhook.MaxAttempts < 1)
            {
                failures.Add($"{key}:MaxAttempts must be at least 1.");
            }

            if (webhook.InitialBackoff <= TimeSpan.Zero || webhook.MaxBackoff < webhook.InitialBackoff)
            {
                failures.Add($"{key}:InitialBackoff must be positive and MaxBackoff at least InitialBackoff.");
            }
            else if (webhook.MaxBackoff > MaxBackoffLimit)
            {
                failures.Add($"{key}:MaxBackoff must be at most {MaxBackoffLimit.ToString("c", CultureInfo.InvariantCulture)} (got {webhook.MaxBackoff.ToString("c", CultureInfo.InvariantCulture)}).");
            }

            if (webhook.Timeout <= TimeSpan.Zero)
            {
                failures.Add($"{key}:Timeout must be positive.");
            }
            else if (webhook.Timeout > MaxTimeout)
            {
                failures.Add(
                    $"{key}:Timeout must be at most {MaxTimeout.ToString("c", CultureInfo.InvariantCulture)} (half the replay call's response timeout of " +
                    $"{IWebhookGrain.ReplayResponseTimeout}; got {webhook.Timeout.ToString("c", CultureInfo.InvariantCulture)}).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsLoopback(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.DnsSafeHost, out var address) && IPAddress.IsLoopback(address));
}
