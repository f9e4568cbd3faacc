using Entitlements.Ledger;

namespace Entitlements.Storage;

public sealed record LedgerSnapshot(Guid PlayerUuid, LedgerState State);
