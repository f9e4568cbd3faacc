using Entitlements.Webhooks;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Entitlements;

/// <summary>Lists the configured webhooks by asking each webhook grain for its status.</summary>
[StatelessWorker]
[Reentrant] // no state of its own
public sealed class WebhookRegistryGrain(IOptions<WebhookOptions> webhooks) : Grain, IWebhookRegistryGrain
{
    public async Task<IReadOnlyList<WebhookStatus>> ListAsync()
    {
        var statuses = await Task.WhenAll(webhooks.Value.Webhooks.Select(w => GrainFactory.GetGrain<IWebhookGrain>(w.Name).GetStatusAsync()));
        return [.. statuses.OfType<WebhookStatus>()];
    }
}
