using System.Text.Json.Nodes;
using Entitlements.Contracts;
using Entitlements.Notifications;

namespace Entitlements.Tests.Notifications;

/// <summary>
/// The messages have exactly the field names of the seed documents, at every level: the sample
/// <c>entitlementUpdated</c> of seed 002 and the generated <c>revocationCompleted</c> example of seed 004
/// (read from <c>../shared/seeds</c> beside the repository).
/// </summary>
public sealed class SeedShapeTests
{
    /// <summary>Every field set: the fields with no value (<c>startDate</c>, <c>endDate</c>, <c>collectionId</c>) are left out.</summary>
    [Fact]
    public void EntitlementUpdated_HasTheSeedsFieldsAtEveryLevel()
    {
        var seed = SeedJson("002_90a69e4f6ae7933c.txt", "sample payload for entitlementUpdated notifications");
        var entitlement = new EntitlementInfo
        {
            Id = "c1a2",
            Namespace = "game",
            Clazz = "ENTITLEMENT",
            Type = "CONSUMABLE",
            Status = "ACTIVE",
            Sku = "sku",
            UserId = "u1",
            ItemId = "i1",
            ItemNamespace = "game",
            Name = "Gems",
            UseCount = 10,
            Source = "PURCHASE",
            StartDate = "t",
            EndDate = "t",
            GrantedAt = "t",
            CreatedAt = "t",
            UpdatedAt = "t",
            CollectionId = "c",
            Stackable = true,
            StackedUseCount = 10,
        };
        var message = new EntitlementUpdated { Payload = new EntitlementUpdatedPayload { Action = "grant", Data = [entitlement] } };

        AssertSameFields(seed, JsonNode.Parse(NotificationJson.Serialize(message))!, "$");
        Assert.Equal("entitlementUpdated", (string?)seed["type"]);
    }

    [Fact]
    public void RevocationCompleted_HasTheSeedsFieldsAtEveryLevelIncludingNestedItemRevocations()
    {
        var seed = SeedJson("004_efa1e571fbf33175.txt", "Examples of payload (generated)");
        CreditRevocation[] credits = [new() { Status = "SUCCESS" }];
        EntitlementRevocation[] entitlements =
            [new() { EntitlementId = "e", Quantity = 1, ItemId = "i", RevocationStrategy = "REVOKE_OR_REPORT", Status = "SUCCESS", Skipped = false }];
        ItemRevocation Item(IReadOnlyList<ItemRevocation> nested) => new()
        {
            Quantity = 1,
            ItemId = "i",
            RevocationStrategy = "REVOKE_OR_REPORT",
            Status = "SUCCESS",
            Skipped = false,
            ItemRevocations = nested,
            CreditRevocations = credits,
            EntitlementRevocations = entitlements,
        };
        var message = new RevocationCompleted
        {
            Id = "497f6eca-6276-4993-bfeb-53cbbbba6f08",
            Namespace = "game",
            Timestamp = "t",
            Payload = new RevocationCompletedPayload
            {
                UserId = "u",
                Source = "ORDER",
                Meta = new RevocationMeta { EventId = "e", ActionType = "refund", Platform = "Steam", PlatformTransactionId = "tx", PlatformUserId = "p", Sku = "s", Version = 1 },
                CreditRevocations = credits,
                EntitlementRevocations = entitlements,
                ItemRevocations = [Item([Item([Item([])])])],
                RevokeEntries =
                [
                    new RevokeEntry
                    {
                        Type = "ENTITLEMENT",
                        Item = new RevokeEntryItem { ItemIdentityType = "ITEM_ID", ItemIdentity = "i" },
                        Entitlement = new RevokeEntryEntitlement { EntitlementId = "e", Type = "CONSUMABLE", Clazz = "ENTITLEMENT" },
                        Currency = new RevokeEntryCurrency(),
                        Quantity = 1,
                    },
                ],
                RevocationId = "r",
                Namespace = "game",
                Status = "SUCCESS",
                RevocationError = [new RevocationError { HttpStatus = 400, Code = 1, Message = "m" }],
                RequestId = "q",
            },
        };

        AssertSameFields(seed, JsonNode.Parse(NotificationJson.Serialize(message))!, "$");
    }

    /// <summary>Same keys in every object; arrays compared by their first element; <c>{}</c> and <c>meta</c> in the seed are free-form.</summary>
    [Fact]
    public void ItemRevocationItemType_OfEveryClass_IsInAccelBytesItemTypeEnum()
    {
        var spec = JsonNode.Parse(File.ReadAllText(Path.Combine(SharedFolder(), "specs", "accelbyte-platform.swagger.json")))!;
        var allowed = spec["definitions"]!["ItemRevocation"]!["properties"]!["itemType"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()).ToHashSet();

        Assert.All(Enum.GetValues<EntitlementClazz>(), clazz => Assert.Contains(NotificationFactory.ItemType(clazz), allowed));
    }

    private static void AssertSameFields(JsonNode seed, JsonNode ours, string path)
    {
        switch (seed)
        {
            case JsonObject seedObject when seedObject.Count == 0 || path.EndsWith(".meta", StringComparison.Ordinal):
                Assert.IsType<JsonObject>(ours);
                return;
            case JsonObject seedObject:
                var oursObject = Assert.IsType<JsonObject>(ours);
                Assert.Equal(
                    seedObject.Select(p => p.Key).Order(StringComparer.Ordinal),
                    oursObject.Select(p => p.Key).Order(StringComparer.Ordinal));
                foreach (var (key, value) in seedObject)
                {
                    if (value is JsonObject or JsonArray)
                    {
                        AssertSameFields(value, oursObject[key] ?? throw new Xunit.Sdk.XunitException($"{path}.{key} is null"), $"{path}.{key}");
                    }
                }

                return;
            case JsonArray seedArray when seedArray.Count > 0 && seedArray[0] is JsonObject:
                var oursArray = Assert.IsType<JsonArray>(ours);
                Assert.True(oursArray.Count > 0, $"{path} is empty");
                AssertSameFields(seedArray[0]!, oursArray[0]!, path + "[0]");
                return;
        }
    }

    /// <summary>The first balanced JSON object after <paramref name="marker"/> in a seed document.</summary>
    private static JsonObject SeedJson(string file, string marker)
    {
        var text = File.ReadAllText(Path.Combine(SharedFolder(), "seeds", file));
        var start = text.IndexOf('{', text.IndexOf(marker, StringComparison.Ordinal));
        var depth = 0;
        for (var i = start; i < text.Length; i++)
        {
            depth += text[i] switch { '{' => 1, '}' => -1, _ => 0 };
            if (depth == 0)
            {
                return JsonNode.Parse(text[start..(i + 1)])!.AsObject();
            }
        }

        throw new InvalidDataException($"No JSON object after '{marker}' in {file}.");
    }

    private static string SharedFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Orleans.sln")))
            {
                return Path.Combine(directory.Parent!.FullName, "shared");
            }
        }

        throw new DirectoryNotFoundException("The repository root (Orleans.sln) was not found above the test binaries.");
    }
}
