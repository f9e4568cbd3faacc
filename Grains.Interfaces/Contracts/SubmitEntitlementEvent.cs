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

    /// <summary>The most characters (code points) of <see cref="PlatformUserId"/>: the gateway's bound, and RallyHere's.</summary>
    public const int MaxPlatformUserIdLength = 2048;

    /// <summary>The most characters (code points) of <see cref="Sku"/>: the gateway's bound, and RallyHere's.</summary>
    public const int MaxSkuLength = 2048;

    /// <summary>The most characters (code points) of <see cref="PlatformTransactionId"/>: the gateway's bound, and RallyHere's.</summary>
    public const int MaxPlatformTransactionIdLength = 4096;

    /// <summary>
    /// The command as the ledger records it, or an <see cref="ArgumentException"/> naming the member that the
    /// gateway's route would have refused, thrown before anything is read or written: an enum value no member
    /// names; an id that is missing, empty, longer than its bound, or text the ledger cannot store (see
    /// <see cref="StoredText"/>); a grant's <see cref="Quantity"/> below 1; platform data that is not a JSON object within <see cref="MaxPlatformDataBytes"/>
    /// and <see cref="MaxPlatformDataDepth"/> (every answer carrying the event reads it as one), or that holds an integer
    /// of more than <see cref="CanonicalJson.MaxIntegerDigits"/> digits (no Python client could read those answers). The platform data
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

        CommandChecks.ThrowIfUndefined(Platform, nameof(Platform));
        ThrowIfIdNotStorable(PlatformUserId, MaxPlatformUserIdLength, nameof(PlatformUserId));
        ThrowIfIdNotStorable(Sku, MaxSkuLength, nameof(Sku));
        if (ActionType == EntitlementActionType.Grant)
        {
            // A grant's quantity multiplies what it gives. The route's upper bound (1,000,000) is not held here: an
            // Orleans client may grant more at once. Any other event's quantity is recorded, not used, and the
            // route takes any: refusing one would lose the refund.
            CommandChecks.ThrowIfLessThan(Quantity, 1, nameof(Quantity));
        }

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
