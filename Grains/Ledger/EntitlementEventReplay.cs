using Entitlements.Contracts;

namespace Entitlements.Ledger;

/// <summary>The idempotency rule of store events, in one place.</summary>
public static class EntitlementEventReplay
{
    /// <summary>
    /// When <paramref name="transaction"/> already holds an event with the command's action type: the
    /// original event, as a replay when the request is the same and as a conflict when it is not.
    /// Null when the command is new.
    /// </summary>
    public static EntitlementEventResult? Find(IReadOnlyList<LedgerEvent> transaction, SubmitEntitlementEvent command)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(command);
        if (transaction.FirstOrDefault(e => e.Entitlement!.ActionType == command.ActionType) is not { } existing)
        {
            return null;
        }

        var outcome = existing.RequestFingerprint == RequestFingerprint.Of(command) ? EntitlementEventOutcome.Replayed : EntitlementEventOutcome.Conflict;
        return new EntitlementEventResult(outcome, existing.Entitlement);
    }
}
