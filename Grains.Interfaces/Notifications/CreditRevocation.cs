using System.Text.Json.Serialization;

namespace Entitlements.Notifications;

/// <summary>A wallet credit taken back. This system keeps no wallets, so the list is always empty.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.Notifications.CreditRevocation")]
public sealed record CreditRevocation
{
    [Id(0), JsonPropertyName("walletId")] public string? WalletId { get; init; }
    [Id(1), JsonPropertyName("currencyCode")] public string? CurrencyCode { get; init; }
    [Id(2), JsonPropertyName("balanceOrigin")] public string? BalanceOrigin { get; init; }
    [Id(3), JsonPropertyName("amount")] public long Amount { get; init; }
    [Id(4), JsonPropertyName("status")] public required string Status { get; init; }
    [Id(5), JsonPropertyName("revocationStrategy")] public string? RevocationStrategy { get; init; }
    [Id(6), JsonPropertyName("skipped")] public bool Skipped { get; init; }
    [Id(7), JsonPropertyName("reason")] public string? Reason { get; init; }
}
