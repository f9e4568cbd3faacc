namespace Entitlements.Webhooks;

/// <summary>Where a new webhook (one with no stored position) starts in the notification feed.</summary>
public enum WebhookStart
{
    /// <summary>The first notification the ledger holds: the webhook receives the whole history.</summary>
    Beginning = 0,

    /// <summary>The feed's head at the webhook's first start: only what is committed afterwards.</summary>
    Now = 1,
}
