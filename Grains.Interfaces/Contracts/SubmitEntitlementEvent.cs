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

    /// <summary>The platform data as canonical JSON (object keys sorted), or null.</summary>
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
    /// Refuse text the ledger cannot store (see <see cref="StoredText"/>), and platform data that is not a
    /// JSON object within <see cref="MaxPlatformDataBytes"/> and <see cref="MaxPlatformDataDepth"/>: every
    /// answer carrying the event (its replay, each listing page holding it) reads it as one.
    /// </summary>
    public void ThrowIfNotStorable()
    {
        StoredText.ThrowIfNotStorable(PlatformUserId);
        StoredText.ThrowIfNotStorable(Sku);
        StoredText.ThrowIfNotStorable(PlatformTransactionId);
        StoredText.ThrowIfNotStorable(PlatformDataJson);
        if (PlatformDataJson is null)
        {
            return;
        }

        if (System.Text.Encoding.UTF8.GetByteCount(PlatformDataJson) > MaxPlatformDataBytes)
        {
            throw new ArgumentException($"The platform data is over {MaxPlatformDataBytes} bytes of JSON.", nameof(PlatformDataJson));
        }

        ThrowIfPlatformDataNotAnObject();
    }

    private void ThrowIfPlatformDataNotAnObject()
    {
        JsonValueKind kind;
        try
        {
            using var document = JsonDocument.Parse(PlatformDataJson!, new JsonDocumentOptions { MaxDepth = MaxPlatformDataDepth });
            kind = document.RootElement.ValueKind;
            ThrowIfUnreadable(document.RootElement);
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
    }

    /// <summary>Reads every name and string, which throws <see cref="InvalidOperationException"/> on one that is not valid UTF-16.</summary>
    private static void ThrowIfUnreadable(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    _ = property.Name;
                    ThrowIfUnreadable(property.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    ThrowIfUnreadable(item);
                }

                break;
            case JsonValueKind.String:
                _ = element.GetString();
                break;
        }
    }
}
