using System.Text.Json;

namespace Entitlements.Contracts;

/// <summary>A store integration's entitlement event, as RallyHere's <c>EntitlementEventRequest</c> carries it.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.SubmitEntitlementEvent")]
public sealed record SubmitEntitlementEvent
{
    [Id(0)] public required EntitlementActionType ActionType { get; init; }

    /// <summary>A status the caller supplies. Anything other than success is recorded without being applied.</summary>
    [Id(1)] public EntitlementEventStatus? Status { get; init; }

    /// <summary>Overrides the active player of the platform user.</summary>
    [Id(2)] public Guid? PlayerUuid { get; init; }
    [Id(3)] public required Platform Platform { get; init; }
    [Id(4)] public required string PlatformUserId { get; init; }
    [Id(5)] public required string Sku { get; init; }
    /// <summary>
    /// How many: from <see cref="MinQuantity"/> to <see cref="MaxQuantity"/>, and at least 1 for a grant. Kept as a
    /// 64-bit number, which events recorded before the bound may hold.
    /// </summary>
    [Id(6)] public long Quantity { get; init; } = 1;
    [Id(7)] public required string PlatformTransactionId { get; init; }

    /// <summary>
    /// The platform data, a JSON object, or null. The ledger stores it as canonical JSON (object keys sorted, no
    /// whitespace), in which the gateway sends it; the grains rewrite any other form so (see <see cref="ToStorable"/>).
    /// </summary>
    [Id(8)] public string? PlatformDataJson { get; init; }

    /// <summary>
    /// The most UTF-8 bytes <see cref="PlatformDataJson"/> may have. Events are listed up to 1,000 a page,
    /// which must fit one Orleans message (100 MB by default) and one JSON answer: without a bound, a few
    /// large events made every read of their page fail, for good.
    /// </summary>
    public const int MaxPlatformDataBytes = 64 * 1024;

    /// <summary>
    /// The most levels <see cref="PlatformDataJson"/> may nest, itself the first: the most a gateway request
    /// carries (its body nests at most 64 levels, the platform data starting at the second), and within
    /// what the answers that carry the event read back.
    /// </summary>
    public const int MaxPlatformDataDepth = 63;

    /// <summary>
    /// The least <see cref="Quantity"/>: RallyHere's schema types it a plain <c>integer</c>, which its generated
    /// Unreal SDK and NSwag's C# read as a 32-bit <c>int</c>. A larger one, once in an event, made every listing
    /// page holding it unreadable to those clients, and a full page is kept as it is, so for good.
    /// </summary>
    public const long MinQuantity = int.MinValue;

    /// <summary>The most <see cref="Quantity"/>, for the reason given at <see cref="MinQuantity"/>.</summary>
    public const long MaxQuantity = int.MaxValue;

    /// <summary>The most characters (code points) of <see cref="PlatformUserId"/>: the gateway's bound, and RallyHere's.</summary>
    public const int MaxPlatformUserIdLength = 2048;

    /// <summary>The most characters (code points) of <see cref="Sku"/>: the gateway's bound, and RallyHere's.</summary>
    public const int MaxSkuLength = 2048;

    /// <summary>The most characters (code points) of <see cref="PlatformTransactionId"/>: the gateway's bound, and RallyHere's.</summary>
    public const int MaxPlatformTransactionIdLength = 4096;

    /// <summary>
    /// The command as the ledger records it, or an <see cref="ArgumentException"/> naming the member that the
    /// gateway's route would have refused, thrown before anything is read or written: an enum value no member
    /// names; a <see cref="PlayerUuid"/> that is the nil UUID (see <see cref="PlayerUuids"/>); an id that is missing, empty, longer than its bound, or text the ledger cannot store (see
    /// <see cref="StoredText"/>); a <see cref="Quantity"/> outside <see cref="MinQuantity"/> to <see cref="MaxQuantity"/>, or a grant's below 1;
    /// platform data that is not a JSON object within <see cref="MaxPlatformDataBytes"/> and <see cref="MaxPlatformDataDepth"/>
    /// (every answer carrying the event reads it as one), or that holds an integer of more than
    /// <see cref="CanonicalJson.MaxIntegerDigits"/> digits (no Python client could read those answers) or a number beyond
    /// a double (<see cref="CanonicalJson.HoldsNumberBeyondDouble"/>). The platform data
    /// comes back as <see cref="CanonicalJson"/>, the form the gateway writes, so that the same event is stored and
    /// compared alike whether it came over HTTP or from an Orleans client.
    /// </summary>
    public SubmitEntitlementEvent ToStorable()
    {
        CommandChecks.ThrowIfUndefined(ActionType, nameof(ActionType));
        if (Status is { } status)
        {
            CommandChecks.ThrowIfUndefined(status, nameof(Status));
        }

        PlayerUuids.ThrowIfNil(PlayerUuid, nameof(PlayerUuid));
        CommandChecks.ThrowIfUndefined(Platform, nameof(Platform));
        ThrowIfIdNotStorable(PlatformUserId, MaxPlatformUserIdLength, nameof(PlatformUserId));
        ThrowIfIdNotStorable(Sku, MaxSkuLength, nameof(Sku));
        // A grant's quantity multiplies what it gives: at least 1. The route's upper bound for a grant (1,000,000) is
        // not held here: an Orleans client may grant more at once. Any other event's quantity is recorded, not used:
        // zero and negative are taken, as by the route. Every event's is within 32 bits, as every answer carries it.
        if (ActionType == EntitlementActionType.Grant)
        {
            CommandChecks.ThrowIfLessThan(Quantity, 1, nameof(Quantity));
        }

        CommandChecks.ThrowIfOutside(Quantity, MinQuantity, MaxQuantity, nameof(Quantity));

        ThrowIfIdNotStorable(PlatformTransactionId, MaxPlatformTransactionIdLength, nameof(PlatformTransactionId));
        if (PlatformDataJson is null)
        {
            return this;
        }

        StoredText.ThrowIfNotStorable(PlatformDataJson);
        var canonical = CanonicalPlatformData();
        if (System.Text.Encoding.UTF8.GetByteCount(canonical) > MaxPlatformDataBytes)
        {
            throw new ArgumentException($"The platform data is over {MaxPlatformDataBytes} bytes of JSON.", nameof(PlatformDataJson));
        }

        return string.Equals(canonical, PlatformDataJson, StringComparison.Ordinal) ? this : this with { PlatformDataJson = canonical };
    }

    private static void ThrowIfIdNotStorable(string? value, int maxLength, string name)
    {
        CommandChecks.ThrowIfMissing(value, name);
        StoredText.ThrowIfNotStorable(value, name);
        CommandChecks.ThrowIfLongerThan(value, maxLength, name);
    }

    /// <summary>The platform data as canonical JSON, once it is known to be an object an answer can carry.</summary>
    private string CanonicalPlatformData()
    {
        JsonValueKind kind;
        string canonical;
        try
        {
            using var document = JsonDocument.Parse(PlatformDataJson!, new JsonDocumentOptions { MaxDepth = MaxPlatformDataDepth });
            kind = document.RootElement.ValueKind;
            // Reads every name and string, which throws InvalidOperationException on one that is not valid UTF-16.
            canonical = CanonicalJson.Write(document.RootElement);
            // Only text longer than the most digits Python reads can hold a longer integer (the gateway refuses such a body).
            if (PlatformDataJson!.Length > CanonicalJson.MaxIntegerDigits && CanonicalJson.UnreadableIntegerDigits(document.RootElement) is > 0 and var digits)
            {
                throw new ArgumentException(
                    $"The platform data holds an integer of {digits} digits; Python's json.loads reads at most {CanonicalJson.MaxIntegerDigits}.", nameof(PlatformDataJson));
            }

            if (CanonicalJson.HoldsNumberBeyondDouble(document.RootElement))
            {
                throw new ArgumentException(
                    $"The platform data holds a number beyond what a double holds (±{CanonicalJson.DoubleMaxText}).", nameof(PlatformDataJson));
            }
        }
        catch (JsonException exception)
        {
            throw new ArgumentException($"The platform data is not JSON of at most {MaxPlatformDataDepth} levels: {exception.Message}", nameof(PlatformDataJson), exception);
        }
        catch (InvalidOperationException exception)
        {
            // A string or name whose escapes do not unescape to UTF-16 (a lone surrogate such as "\ud800"), as the gateway refuses.
            throw new ArgumentException("The platform data holds a string that is not valid UTF-16 once unescaped.", nameof(PlatformDataJson), exception);
        }

        if (kind != JsonValueKind.Object)
        {
            throw new ArgumentException($"The platform data is a JSON {kind.ToString().ToLowerInvariant()}, not an object.", nameof(PlatformDataJson));
        }

        return canonical;
    }
}
