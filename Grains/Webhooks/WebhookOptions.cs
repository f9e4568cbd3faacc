namespace Entitlements.Webhooks;

/// <summary>The configured webhooks: bound from the <c>Notifications</c> section, key <c>Webhooks</c>.</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Notifications";

    public IList<WebhookEndpointOptions> Webhooks { get; } = [];

    /// <summary>The webhook with this name; null when none is configured.</summary>
    public WebhookEndpointOptions? Find(string name) => Webhooks.FirstOrDefault(w => string.Equals(w.Name, name, StringComparison.Ordinal));
}
