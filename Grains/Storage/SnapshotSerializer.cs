using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using Entitlements.Ledger;

namespace Entitlements.Storage;

/// <summary>Snapshots are JSON with a format number, so that the state type can evolve.</summary>
internal static class SnapshotSerializer
{
    private const int Format = 1;

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Serialize(LedgerState state) =>
        JsonSerializer.Serialize(new Document(Format, state.Version, [.. state.Items.Values]), Options);

    public static LedgerState Deserialize(string json)
    {
        var document = JsonSerializer.Deserialize<Document>(json, Options)
            ?? throw new InvalidDataException("Empty ledger snapshot.");
        if (document.Format != Format)
        {
            throw new InvalidDataException($"Unknown ledger snapshot format {document.Format}.");
        }

        var items = ImmutableSortedDictionary.CreateRange(
            StringComparer.Ordinal, document.Items.Select(item => KeyValuePair.Create(item.ItemId, item)));
        return new LedgerState { Version = document.Version, Items = items };
    }

    private sealed record Document(int Format, long Version, IReadOnlyList<ItemHolding> Items);
}
