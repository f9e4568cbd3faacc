using System.Text.Json.Serialization;

namespace Entitlements.Notifications;

/// <summary>The currency of a revoke entry. This system keeps no wallets, so it is never set.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.Notifications.RevokeEntryCurrency")]
public sealed record RevokeEntryCurrency
{
    [Id(0), JsonPropertyName("walletId")] public string? WalletId { get; init; }
    [Id(1), JsonPropertyName("namespace")] public string? Namespace { get; init; }
    [Id(2), JsonPropertyName("currencyCode")] public string? CurrencyCode { get; init; }
    [Id(3), JsonPropertyName("balanceOrigin")] public string? BalanceOrigin { get; init; }
}
