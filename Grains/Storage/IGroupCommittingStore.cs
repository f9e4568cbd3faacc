namespace Entitlements.Storage;

/// <summary>A store whose appends go through a <see cref="LedgerGroupCommit"/> (tests hold and observe it).</summary>
internal interface IGroupCommittingStore
{
    LedgerGroupCommit Appends { get; }
}
