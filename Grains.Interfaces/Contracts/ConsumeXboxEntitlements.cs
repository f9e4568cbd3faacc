namespace Entitlements.Contracts;

/// <summary>
/// Consume the player's Xbox Live store balances and grant what they map to. The XSTS credential is
/// passed through to the collections service and never stored or logged.
/// </summary>
[GenerateSerializer, Immutable, Alias("Entitlements.ConsumeXboxEntitlements")]
public sealed record ConsumeXboxEntitlements
{
    /// <summary>The Xbox user id the credential belongs to (validated by the caller).</summary>
    [Id(0)] public required string Xuid { get; init; }

    /// <summary>The delegated credential, <c>XBL3.0 x=&lt;userhash&gt;;&lt;XSTS token&gt;</c>.</summary>
    [Id(1)] public required string XboxAuthorization { get; init; }

    /// <summary>The catalog version reported on granted items.</summary>
    [Id(2)] public string? CatalogVersion { get; init; }

    /// <summary>
    /// Refuse text the ledger cannot store (see <see cref="StoredText"/>): the XUID is written with every
    /// consume the call starts and read back to finish them, the credential is sent to Xbox in a header,
    /// and the catalog version is answered with every granted item. The XUID and the credential are
    /// required: <c>required</c> binds a C# caller at compile time only, not an Orleans client's message.
    /// </summary>
    public void ThrowIfNotStorable()
    {
        CommandChecks.ThrowIfMissing(Xuid, nameof(Xuid));
        CommandChecks.ThrowIfMissing(XboxAuthorization, nameof(XboxAuthorization));
        StoredText.ThrowIfNotStorable(Xuid);
        StoredText.ThrowIfNotStorable(XboxAuthorization);
        StoredText.ThrowIfNotStorable(CatalogVersion);
    }

    public override string ToString() => $"ConsumeXboxEntitlements {{ Xuid = {Xuid}, CatalogVersion = {CatalogVersion} }}";
}
