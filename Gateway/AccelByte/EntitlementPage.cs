using System.Text.Json.Serialization;
using Entitlements.Notifications;

namespace Entitlements.Gateway.AccelByte;

/// <summary>AccelByte's paged list shape (<c>data</c>, <c>paging</c>); every entitlement fits one page.</summary>
public sealed record EntitlementPage(
    [property: JsonPropertyName("data")] IReadOnlyList<EntitlementInfo> Data,
    [property: JsonPropertyName("paging")] PageLinks Paging);
