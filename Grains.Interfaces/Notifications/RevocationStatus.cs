namespace Entitlements.Notifications;

/// <summary>AccelByte's revocation status values.</summary>
public static class RevocationStatus
{
    public const string Success = "SUCCESS";
    public const string Fail = "FAIL";
}
