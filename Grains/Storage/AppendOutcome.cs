namespace Entitlements.Storage;

public enum AppendOutcome
{
    Appended = 0,

    /// <summary>The player's ledger already has an event at that version (another activation wrote first).</summary>
    VersionConflict = 1,

    /// <summary>The idempotency key (platform, platform_transaction_id, action_type), or the player's operation id, is taken.</summary>
    DuplicateKey = 2,
}
