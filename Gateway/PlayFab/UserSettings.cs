namespace Entitlements.Gateway.PlayFab;

/// <summary>PlayFab's <c>UserSettings</c>: no attribution or device-info gathering here.</summary>
public sealed record UserSettings(bool NeedsAttribution, bool GatherDeviceInfo, bool GatherFocusInfo);
