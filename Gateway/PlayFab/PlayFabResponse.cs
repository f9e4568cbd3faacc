using System.Text.Json.Serialization;

namespace Entitlements.Gateway.PlayFab;

/// <summary>PlayFab's success envelope: lower-case keys outside, PascalCase inside <c>data</c>.</summary>
public sealed record PlayFabResponse<T>(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("data")] T Data);
