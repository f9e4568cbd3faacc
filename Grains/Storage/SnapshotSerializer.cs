using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using Entitlements.Ledger;

namespace Entitlements.Storage;

/// <summary>Snapshots are JSON with a format number, so that the state type can evolve.</summary>
internal static class SnapshotSerializer
{
    /// <summary>
    /// 2: each item also keeps what the revocations that stand replaced (<see cref="ItemHolding.RevokedFrom"/>
    /// and the rest). A format 1 snapshot is read when none of its items is revoked, since then those fields
    /// are empty; else it is not used, and the player's events are folded from the first (once: the next
    /// snapshot written replaces it).
    /// </summary>
    private const int Format = 2;

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Serialize(LedgerState state) =>
        JsonSerializer.Serialize(new Document(Format, state.Version, [.. state.Items.Values]), Options);

    /// <summary>The snapshot's state; null when it is of an older format that cannot tell all of it.</summary>
    public static LedgerState? Deserialize(string json)
    {
        var document = JsonSerializer.Deserialize<Document>(json, Options)
            ?? throw new InvalidDataException("Empty ledger snapshot.");
        if (document.Format == 1 && document.Items.Any(item => item.LastChange == LedgerChange.Revoked))
        {
            return null;
        }

        if (document.Format is not (1 or Format))
        {
            throw new InvalidDataException($"Unknown ledger snapshot format {document.Format}.");
        }

        var items = ImmutableSortedDictionary.CreateRange(
            StringComparer.Ordinal, document.Items.Select(item => KeyValuePair.Create(item.ItemId, item)));
        return new LedgerState { Version = document.Version, Items = items };
    }

    private sealed record Document(int Format, long Version, IReadOnlyList<ItemHolding> Items);
}
