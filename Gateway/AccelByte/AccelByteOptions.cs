namespace Entitlements.Gateway.AccelByte;

/// <summary>Configuration section <c>AccelByte</c>.</summary>
public sealed class AccelByteOptions
{
    public const string SectionName = "AccelByte";

    /// <summary>The <c>namespace</c> and <c>itemNamespace</c> of every entitlement shown in AccelByte's shape.</summary>
    public string Namespace { get; set; } = Entitlements.Notifications.NotificationOptions.DefaultNamespace;
}
