namespace Entitlements.Gateway.PlayFab;

/// <summary>The PlayFab-compatible surface (configuration section <c>PlayFab</c>).</summary>
public sealed class PlayFabOptions
{
    public const string SectionName = "PlayFab";

    /// <summary>How long a session ticket is accepted (PlayFab's are valid for 24 hours).</summary>
    public int SessionTicketLifetimeMinutes { get; set; } = 1440;

    /// <summary>The <c>CatalogVersion</c> of granted items when the request names none.</summary>
    public string? DefaultCatalogVersion { get; set; }
}
