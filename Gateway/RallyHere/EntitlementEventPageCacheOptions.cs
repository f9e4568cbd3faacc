namespace Entitlements.Gateway.RallyHere;

/// <summary>Configuration section <c>EntitlementEvents</c> of the gateway.</summary>
public sealed class EntitlementEventPageCacheOptions
{
    public const string SectionName = "EntitlementEvents";

    /// <summary>How many megabytes of page bodies <see cref="EntitlementEventPageCache"/> keeps; 0 turns it off.</summary>
    public int PageCacheMegabytes { get; set; } = 64;
}
