namespace Entitlements.Gateway.PlayFab;

/// <summary>The <c>data</c> of a ConsumeXboxEntitlements answer: what this call granted.</summary>
public sealed record ConsumeXboxEntitlementsResult(IReadOnlyList<ItemInstance> Items);
