using Entitlements.Webhooks;

namespace Entitlements;

/// <summary>The webhooks the cluster is configured with. A stateless worker: use key 0.</summary>
[Alias("Entitlements.IWebhookRegistryGrain")]
public interface IWebhookRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Every configured webhook's status, in configuration order.</summary>
    [Alias("List")]
    Task<IReadOnlyList<WebhookStatus>> ListAsync();
}
