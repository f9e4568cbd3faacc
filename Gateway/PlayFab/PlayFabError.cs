namespace Entitlements.Gateway.PlayFab;

/// <summary>A PlayFab error: its name (<c>error</c>), number (<c>errorCode</c>) and the HTTP status it is sent with.</summary>
public sealed record PlayFabError(string Name, int Number, int HttpStatus = StatusCodes.Status400BadRequest)
{
    public static readonly PlayFabError InvalidParams = new("InvalidParams", 1000);
    public static readonly PlayFabError AccountNotFound = new("AccountNotFound", 1001);
    public static readonly PlayFabError NotAuthenticated = new("NotAuthenticated", 1074, StatusCodes.Status401Unauthorized);
    public static readonly PlayFabError InvalidSessionTicket = new("InvalidSessionTicket", 1100, StatusCodes.Status401Unauthorized);
    public static readonly PlayFabError InternalServerError = new("InternalServerError", 1110);
    public static readonly PlayFabError InvalidItemProperties = new("InvalidItemProperties", 1091);
    public static readonly PlayFabError ServiceUnavailable = new("ServiceUnavailable", 1123, StatusCodes.Status503ServiceUnavailable);
    public static readonly PlayFabError InvalidXboxLiveToken = new("InvalidXboxLiveToken", 1188);
    public static readonly PlayFabError ExpiredXboxLiveToken = new("ExpiredXboxLiveToken", 1189);
    public static readonly PlayFabError XboxXassExchangeFailure = new("XboxXASSExchangeFailure", 1306);
    public static readonly PlayFabError XboxInaccessible = new("XboxInaccessible", 1339);
    public static readonly PlayFabError XboxRejectedXstsExchangeRequest = new("XboxRejectedXSTSExchangeRequest", 1343);
    public static readonly PlayFabError XboxServiceTooManyRequests = new("XboxServiceTooManyRequests", 1505);
    public static readonly PlayFabError ApiClientRequestRateLimitExceeded = new("APIClientRequestRateLimitExceeded", 1199, StatusCodes.Status429TooManyRequests);
    public static readonly PlayFabError ProductDisabledForTitle = new("ProductDisabledForTitle", 1609);
}
