namespace Entitlements.Samples.GameService;

/// <summary>Configuration section <c>GameService</c>.</summary>
public sealed class FollowerOptions
{
    public const string SectionName = "GameService";

    /// <summary>
    /// Where to start: empty for what happens from now on, <c>start</c> for the whole feed, or the
    /// cursor of the last notification handled (printed with each line) to resume after it.
    /// </summary>
    public string? After { get; set; }
}
