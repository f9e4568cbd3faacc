namespace Entitlements.XboxLiveSimulator;

/// <summary>A consume the service did: the answer repeated for every request with its tracking id.</summary>
public sealed record SimulatedConsume(string ItemId, string ProductId, string TrackingId, long RemovedQuantity, long NewQuantity, int Requests);
