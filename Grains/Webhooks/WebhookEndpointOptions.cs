namespace Entitlements.Webhooks;

/// <summary>One webhook: configuration <c>Notifications:Webhooks:&lt;n&gt;</c>.</summary>
public sealed class WebhookEndpointOptions
{
    /// <summary>The longest <see cref="Name"/>: the operator routes take no longer one.</summary>
    public const int MaxNameLength = 100;

    /// <summary>
    /// Unique, <c>[a-z0-9-]+</c>, at most <see cref="MaxNameLength"/> characters: the grain key, the consumer name
    /// <c>webhook:&lt;name&gt;</c> and the route segment.
    /// </summary>
    public string Name { get; set; } = string.Empty;

    /// <summary><c>https://</c>; <c>http://</c> only for a loopback host.</summary>
    public string Url { get; set; } = string.Empty;

    /// <summary>The HMAC key, at least 32 characters.</summary>
    public string Secret { get; set; } = string.Empty;

    /// <summary>Attempts per notification before it becomes a dead letter.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The wait after the first failure; it doubles after each further one.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between attempts, <c>Retry-After</c> included.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one attempt may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Where a webhook that has never delivered anything starts: <see cref="WebhookStart.Beginning"/> (the
    /// whole ledger's notifications) or <see cref="WebhookStart.Now"/> (what is committed from its first
    /// start on). Once it has a stored position, it always resumes from there.
    /// </summary>
    public WebhookStart StartFrom { get; set; } = WebhookStart.Beginning;

    /// <summary>The durable consumer name of this webhook's feed position.</summary>
    public string ConsumerName => ConsumerNameOf(Name);

    /// <summary>The named <see cref="HttpClient"/> of this webhook.</summary>
    public string ClientName => ClientNameOf(Name);

    public static string ConsumerNameOf(string name) => $"webhook:{name}";

    public static string ClientNameOf(string name) => $"webhook:{name}";
}
