using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace Entitlements.Webhooks;

/// <summary>
/// Configures the named client of every webhook (<c>webhook:&lt;name&gt;</c>): its timeout, and no
/// automatic redirects (a signed notification goes to the configured URL or nowhere; a 3xx is a
/// permanent failure). The factory's own logging is removed from these clients (see
/// <see cref="RemoveLoggers"/>): the webhook grain logs each failed attempt in one line.
/// </summary>
public sealed class WebhookHttpClients(IOptions<WebhookOptions> webhooks) : IConfigureNamedOptions<HttpClientFactoryOptions>
{
    public void Configure(string? name, HttpClientFactoryOptions clientOptions)
    {
        ArgumentNullException.ThrowIfNull(clientOptions);
        var webhook = webhooks.Value.Webhooks.FirstOrDefault(w => string.Equals(w.ClientName, name, StringComparison.Ordinal));
        if (webhook is null)
        {
            return;
        }

        var timeout = webhook.Timeout;
        clientOptions.HttpClientActions.Add(client => client.Timeout = timeout);
        clientOptions.HttpMessageHandlerBuilderActions.Add(builder => builder.PrimaryHandler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        });
    }

    public void Configure(HttpClientFactoryOptions clientOptions) => Configure(Options.DefaultName, clientOptions);

    /// <summary>
    /// Without this, each attempt logs four Information lines, and a failed one two Warnings, each with the
    /// exception's stack trace: one endpoint that is down would fill the logs.
    /// </summary>
    public static void RemoveLoggers(IServiceCollection services, WebhookOptions? webhooks)
    {
        foreach (var webhook in webhooks?.Webhooks ?? [])
        {
            services.AddHttpClient(webhook.ClientName).RemoveAllLoggers();
        }
    }
}
