using System.Text;
using System.Text.Json;
using Entitlements.Xbox;

namespace Entitlements.Tests.Xbox;

/// <summary>How one item of a collections query answer is read: what is kept, and what is passed over as malformed.</summary>
public sealed class XboxCollectionsClientTests
{
    private const string Durable = """{"id":"item-1","productId":"9PRODUCT","productKind":"Durable","skuId":"0010","status":"Active","transactionId":"order-1"}""";

    [Fact]
    public void ReadItem_WellFormedDurable_IsReadFieldByField()
    {
        var item = Read(Durable, out var problem);

        Assert.Null(problem);
        Assert.Equal(
            new XboxCollectionItem { Id = "item-1", ProductId = "9PRODUCT", ProductKind = "Durable", SkuId = "0010", Quantity = 0, Status = "Active", TransactionId = "order-1" },
            item);
    }

    [Fact]
    public void ReadItem_SurrogatePairInAString_IsKept()
    {
        // An escaped pair is one valid character (U+1F600): only a surrogate without its other half is refused.
        var item = Read("""{"id":"item-\ud83d\ude00","productId":"9PRODUCT","productKind":"Durable","transactionId":"order-\ud83d\ude00"}""", out var problem);

        Assert.Null(problem);
        Assert.Equal(("item-\U0001F600", "order-\U0001F600"), (item!.Id, item.TransactionId));
    }

    [Theory]
    [InlineData("id")]
    [InlineData("productId")]
    [InlineData("transactionId")]
    public void ReadItem_NulInAStringTheLedgerReceives_IsMalformed(string field)
    {
        var item = Read(WithField(field, "\"text\\u0000\""), out var problem);

        Assert.Null(item);
        Assert.Equal($"its {field} holds a NUL or a lone surrogate, which the ledger does not store", problem);
    }

    /// <summary>
    /// An item id of only white space names no item, as an empty one does: a durable without an order is keyed by
    /// its id, and every such item in the ledger would share one key, each later one taken for the first one's grant.
    /// </summary>
    [Theory]
    [InlineData("\"\"", "no id, productId or productKind string")]
    [InlineData("\"   \"", "its id is only white space")]
    [InlineData("\" \\t \"", "its id is only white space")]
    public void ReadItem_BlankId_IsMalformed(string id, string expected)
    {
        var item = Read(WithField("id", id), out var problem);

        Assert.Null(item);
        Assert.Equal(expected, problem);
    }

    /// <summary>
    /// A consumable's balance beyond 32 bits is not one Xbox counts, and its grant would carry a quantity no
    /// RallyHere or AccelByte client reads: the item is passed over. The largest 32-bit balance is kept.
    /// </summary>
    [Theory]
    [InlineData("Consumable", "2147483648", null)]
    [InlineData("UnmanagedConsumable", "9223372036854775807", null)]
    [InlineData("Consumable", "2147483647", 2147483647L)]
    [InlineData("Durable", "2147483648", 2147483648L)]
    public void ReadItem_QuantityBeyond32Bits_IsMalformedForAConsumable(string kind, string quantity, long? kept)
    {
        var item = Read($$"""{"id":"item-1","productId":"9PRODUCT","productKind":"{{kind}}","quantity":{{quantity}}}""", out var problem);

        Assert.Equal(kept, item?.Quantity);
        Assert.Equal(kept is null ? $"item item-1: a quantity of {quantity}, beyond the 32 bits Xbox counts a balance in" : null, problem);
    }

    [Fact]
    public void ReadItem_NulInTheSkuId_IsKept()
    {
        // Nothing stores the SKU id: the item is consumed and granted as any other.
        var item = Read(WithField("skuId", "\"0010\\u0000\""), out var problem);

        Assert.Null(problem);
        Assert.Equal("0010\0", item!.SkuId);
    }

    [Theory]
    [InlineData("id", "\"\\ud800\"")]
    [InlineData("productId", "\"9PRODUCT\\udc00\"")]
    [InlineData("productKind", "\"Durable\\ud800\"")]
    [InlineData("skuId", "\"\\udfff0010\"")]
    [InlineData("transactionId", "\"order-\\ud800\"")]
    [InlineData("status", "\"\\ud800\"")]
    [InlineData("quantity", "\"\\ud800\"")]
    [InlineData("\\ud800", "1")]
    public void ReadItem_EscapedLoneSurrogate_IsMalformed(string field, string value)
    {
        var item = Read(WithField(field, value), out var problem);

        Assert.Null(item);
        Assert.Equal("a string that is not valid UTF-8 or UTF-16 (such as an escaped lone surrogate)", problem);
    }

    [Theory]
    [InlineData("transactionId")]
    [InlineData("productId")]
    public void ReadItem_BytesThatAreNotUtf8_AreMalformed(string field)
    {
        var json = Encoding.UTF8.GetBytes(WithField(field, "\"x#\""));
        json[Array.IndexOf(json, (byte)'#')] = 0xFF;
        using var document = JsonDocument.Parse(json);

        var item = XboxCollectionsClient.ReadItem(document.RootElement, out var problem);

        Assert.Null(item);
        Assert.Equal("a string that is not valid UTF-8 or UTF-16 (such as an escaped lone surrogate)", problem);
    }

    /// <summary>The well-formed durable's fields, <paramref name="field"/> set to the JSON <paramref name="value"/>.</summary>
    private static string WithField(string field, string value)
    {
        (string Name, string Value)[] fields = [("id", "item-1"), ("productId", "9PRODUCT"), ("productKind", "Durable"), ("skuId", "0010"), ("status", "Active"), ("transactionId", "order-1")];
        var members = fields.Where(f => f.Name != field).Select(f => $"\"{f.Name}\":\"{f.Value}\"").Append($"\"{field}\":{value}");
        return "{" + string.Join(',', members) + "}";
    }

    private static XboxCollectionItem? Read(string json, out string? problem)
    {
        using var document = JsonDocument.Parse(json);
        return XboxCollectionsClient.ReadItem(document.RootElement, out problem);
    }
}
