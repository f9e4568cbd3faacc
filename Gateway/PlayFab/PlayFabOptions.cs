namespace Entitlements.Gateway.PlayFab;

/// <summary>The PlayFab-compatible surface (configuration section <c>PlayFab</c>).</summary>
public sealed class PlayFabOptions
{
    public const string SectionName = "PlayFab";

    /// <summary>How long a session ticket is accepted (PlayFab's are valid for 24 hours).</summary>
    public int SessionTicketLifetimeMinutes { get; set; } = 1440;

    /// <summary>The <c>CatalogVersion</c> of granted items when the request names none.</summary>
    public string? DefaultCatalogVersion { get; set; }

    /// <summary>Logins a client address may make each second once its burst is spent (fractions allowed); 0 turns the limit off.</summary>
    public double LoginsPerSecondPerAddress { get; set; } = 20;

    /// <summary>Logins a client address may make at once.</summary>
    public int LoginBurstPerAddress { get; set; } = 200;

    /// <summary>Xbox consumes a player may make each second once its burst is spent (fractions allowed); 0 turns the limit off.</summary>
    public double ConsumesPerSecondPerPlayer { get; set; } = 20;

    /// <summary>Xbox consumes a player may make at once.</summary>
    public int ConsumeBurstPerPlayer { get; set; } = 100;
}
