using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Gateway.Validation;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests;

/// <summary>
/// <c>/inventory/v1/catalog/entitlement-sku/{platform}/{sku}</c>: RallyHere's <c>PlatformSKU</c> shape on GET
/// (plus our fields), our PUT, and the revision as ETag.
/// </summary>
public sealed class CatalogApiTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const string Path = "/inventory/v1/catalog/entitlement-sku";
    private const string TypeEnum = "Input should be 'consumable', 'durable' or 'durable_single_use'";
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task Get_SampleSku_ReturnsPlatformSkuShapeWithETag()
    {
        var response = await _client.GetApiAsync($"{Path}/Steam/gems_100");

        JsonAssert.Response(HttpStatusCode.OK, JsonNode.Parse("""
            {
              "platform": "Steam",
              "sku": "gems_100",
              "custom_data": { "store_section": "currency" },
              "loot_entitlement": { "type": "consumable", "loot_id": 1001, "refund_loot_id": 1002, "chargeback_loot_id": 1003, "chargeback_reversal_loot_id": 1004 },
              "item_id": "gems",
              "item_name": "Gems",
              "item_class": "Currency",
              "clazz": "ENTITLEMENT",
              "units_per_quantity": 100,
              "revocation_policy": "revoke_or_report",
              "platform_product_id": null,
              "revision": 1
            }
            """)!, response);
        Assert.Equal("\"1\"", response.Headers.ETag?.ToString());
    }

    [Fact]
    public async Task Get_SampleSkuWithDefaults_ReturnsNullLootIdsAndEmptyCustomData()
    {
        var response = await _client.GetApiAsync($"{Path}/XboxLive/9NBLGGH4R2R6");

        JsonAssert.Response(HttpStatusCode.OK, JsonNode.Parse("""
            {
              "platform": "XboxLive",
              "sku": "9NBLGGH4R2R6",
              "custom_data": {},
              "loot_entitlement": { "type": "consumable", "loot_id": 1101, "refund_loot_id": null, "chargeback_loot_id": null, "chargeback_reversal_loot_id": null },
              "item_id": "gems",
              "item_name": "Gems",
              "item_class": "Currency",
              "clazz": "ENTITLEMENT",
              "units_per_quantity": 100,
              "revocation_policy": "revoke_or_report",
              "platform_product_id": "9NBLGGH4R2R6",
              "revision": 1
            }
            """)!, response);
    }

    [Theory]
    [InlineData("\"1\"")]
    [InlineData("W/\"1\"")]
    [InlineData("\"0\", \"1\"")]
    [InlineData("*")]
    public async Task Get_WithMatchingIfNoneMatch_Returns304WithoutBody(string ifNoneMatch)
    {
        var response = await _client.SendAsync(HttpMethod.Get, $"{Path}/Steam/season_pass", configure: r => r.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch));

        Assert.Equal(HttpStatusCode.NotModified, response.Status);
        Assert.Equal("", response.Body);
        Assert.Equal("\"1\"", response.Headers.ETag?.ToString());
    }

    [Fact]
    public async Task Get_WithStaleIfNoneMatch_ReturnsTheEntry()
    {
        var sku = Unique.Name("sku");
        await PutOkAsync(sku, Entry("durable"));
        var updated = await PutOkAsync(sku, Entry("consumable"));

        var response = await _client.SendAsync(HttpMethod.Get, $"{Path}/Steam/{sku}", configure: r => r.Headers.TryAddWithoutValidation("If-None-Match", "\"1\""));

        JsonAssert.Response(HttpStatusCode.OK, updated.Json, response);
        Assert.Equal("\"2\"", response.Headers.ETag?.ToString());
    }

    [Fact]
    public async Task Get_UnknownSku_Returns404SkuNotFound()
    {
        var sku = Unique.Name("sku");

        var response = await _client.GetApiAsync($"{Path}/Steam/{sku}");

        JsonAssert.Error(HttpStatusCode.NotFound, "sku_not_found", $"No catalog entry for Steam SKU '{sku}'.", response);
    }

    [Fact]
    public async Task Get_KnownSkuOnAnotherPlatform_Returns404()
    {
        var response = await _client.GetApiAsync($"{Path}/Epic/gems_100");

        JsonAssert.Error(HttpStatusCode.NotFound, "sku_not_found", "No catalog entry for Epic SKU 'gems_100'.", response);
    }

    [Theory]
    [InlineData("steam")]
    [InlineData("Xbox")]
    [InlineData("11")]
    public async Task Get_BadPlatform_Returns422(string platform)
    {
        var response = await _client.GetApiAsync($"{Path}/{platform}/gems_100");

        JsonAssert.Invalid(response, ValidationDetail.Path("platform", ValidationDetail.PlatformEnum, "enum"));
    }

    [Fact]
    public async Task Put_NewSku_CreatesRevisionOneThatGetReturns()
    {
        var sku = Unique.Name("sku");
        var body = JsonNode.Parse("""
            {
              "platform": "Steam",
              "custom_data": { "color": "red" },
              "loot_entitlement": { "type": "consumable", "loot_id": 9001, "refund_loot_id": 9002, "chargeback_loot_id": 9003, "chargeback_reversal_loot_id": 9004 },
              "item_id": "coins",
              "item_name": "Coins",
              "item_class": "Currency",
              "clazz": "LOOTBOX",
              "units_per_quantity": 25,
              "revocation_policy": "allow_negative",
              "platform_product_id": "app-123"
            }
            """)!.AsObject();
        var expected = body.DeepClone().AsObject();
        expected["sku"] = sku;
        expected["revision"] = 1;

        var put = await _client.PutCatalogAsync("Steam", sku, body);
        var get = await _client.GetApiAsync($"{Path}/Steam/{sku}");

        JsonAssert.Response(HttpStatusCode.OK, expected, put);
        Assert.Equal("\"1\"", put.Headers.ETag?.ToString());
        JsonAssert.Response(HttpStatusCode.OK, expected, get);
        Assert.Equal("\"1\"", get.Headers.ETag?.ToString());
    }

    [Fact]
    public async Task Put_MinimalBody_FillsDefaults()
    {
        var sku = Unique.Name("sku");

        var item = Unique.Name("item");

        var put = await _client.PutCatalogAsync("PSN", sku, Entry("durable_single_use", item));

        JsonAssert.Response(HttpStatusCode.OK, new JsonObject
        {
            ["platform"] = "PSN",
            ["sku"] = sku,
            ["custom_data"] = new JsonObject(),
            ["loot_entitlement"] = new JsonObject
            {
                ["type"] = "durable_single_use",
                ["loot_id"] = 5,
                ["refund_loot_id"] = null,
                ["chargeback_loot_id"] = null,
                ["chargeback_reversal_loot_id"] = null,
            },
            ["item_id"] = item,
            ["item_name"] = "Item",
            ["item_class"] = null,
            ["clazz"] = "ENTITLEMENT",
            ["units_per_quantity"] = 1,
            ["revocation_policy"] = "revoke_or_report",
            ["platform_product_id"] = null,
            ["revision"] = 1,
        }, put);
    }

    [Fact]
    public async Task Put_ExistingSku_IncrementsTheRevisionAndETag()
    {
        var sku = Unique.Name("sku");
        await PutOkAsync(sku, Entry("durable"));

        var second = await PutOkAsync(sku, Entry("consumable"));
        var third = await PutOkAsync(sku, Entry("consumable"));

        Assert.Equal(2, second.Json["revision"]!.GetValue<long>());
        Assert.Equal("consumable", second.Json["loot_entitlement"]!["type"]!.GetValue<string>());
        Assert.Equal(3, third.Json["revision"]!.GetValue<long>());
        Assert.Equal("\"3\"", third.Headers.ETag?.ToString());
        JsonAssert.Response(HttpStatusCode.OK, third.Json, await _client.GetApiAsync($"{Path}/Steam/{sku}"));
    }

    [Theory]
    [InlineData("""{"loot_entitlement":{"type":"durable"},"item_id":"i","item_name":"n"}""", "loot_entitlement.loot_id", "Field required", "missing")]
    [InlineData("""{"loot_entitlement":{"loot_id":1},"item_id":"i","item_name":"n"}""", "loot_entitlement.type", "Field required", "missing")]
    [InlineData("""{"loot_entitlement":{"type":"ticket","loot_id":1},"item_id":"i","item_name":"n"}""", "loot_entitlement.type", TypeEnum, "enum")]
    [InlineData("""{"loot_entitlement":{"type":"durable","loot_id":1.5},"item_id":"i","item_name":"n"}""", "loot_entitlement.loot_id", "Input should be a valid integer, got a number with a fractional part", "int_from_float")]
    [InlineData("""{"loot_entitlement":{"type":"durable","loot_id":5000000000},"item_id":"i","item_name":"n"}""", "loot_entitlement.loot_id", "Input should be less than or equal to 2147483647", "less_than_equal")]
    [InlineData("""{"loot_entitlement":{"type":"durable","loot_id":1,"refund_loot_id":2147483648},"item_id":"i","item_name":"n"}""", "loot_entitlement.refund_loot_id", "Input should be less than or equal to 2147483647", "less_than_equal")]
    [InlineData("""{"loot_entitlement":{"type":"durable","loot_id":1,"chargeback_loot_id":-2147483649},"item_id":"i","item_name":"n"}""", "loot_entitlement.chargeback_loot_id", "Input should be greater than or equal to -2147483648", "greater_than_equal")]
    [InlineData("""{"loot_entitlement":{"type":"durable","loot_id":1,"chargeback_reversal_loot_id":"9223372036854775807"},"item_id":"i","item_name":"n"}""", "loot_entitlement.chargeback_reversal_loot_id", "Input should be less than or equal to 2147483647", "less_than_equal")]
    [InlineData("""{"loot_entitlement":[],"item_id":"i","item_name":"n"}""", "loot_entitlement", "Input should be a valid dictionary or object to extract fields from", "model_attributes_type")]
    [InlineData("""{"loot_entitlement":{"type":"durable","loot_id":1},"item_name":"n"}""", "item_id", "Field required", "missing")]
    [InlineData("""{"loot_entitlement":{"type":"durable","loot_id":1},"item_id":"","item_name":"n"}""", "item_id", "String should have at least 1 character", "string_too_short")]
    [InlineData("""{"loot_entitlement":{"type":"durable","loot_id":1},"item_id":"i"}""", "item_name", "Field required", "missing")]
    [InlineData("""{"loot_entitlement":{"type":"durable","loot_id":1},"item_id":"i","item_name":"n","units_per_quantity":0}""", "units_per_quantity", "Input should be greater than 0", "greater_than")]
    [InlineData("""{"loot_entitlement":{"type":"durable","loot_id":1},"item_id":"i","item_name":"n","units_per_quantity":1000000001}""", "units_per_quantity", "Input should be less than or equal to 1000000000", "less_than_equal")]
    [InlineData("""{"loot_entitlement":{"type":"durable","loot_id":1},"item_id":"i","item_name":"n","revocation_policy":"never"}""", "revocation_policy", "Input should be 'revoke_or_report', 'allow_negative' or 'not_revocable'", "enum")]
    [InlineData("""{"loot_entitlement":{"type":"durable","loot_id":1},"item_id":"i","item_name":"n","clazz":"entitlement"}""", "clazz", "Input should be 'APP', 'CODE', 'ENTITLEMENT', 'LOOTBOX', 'MEDIA', 'OPTIONBOX' or 'SUBSCRIPTION'", "enum")]
    [InlineData("""{"loot_entitlement":{"type":"durable","loot_id":1},"item_id":"i","item_name":"n","custom_data":"x"}""", "custom_data", "Input should be a valid dictionary", "dict_type")]
    [InlineData("""{"loot_entitlement":{"type":"durable","loot_id":1},"item_id":"i","item_name":"n","custom_data":{"size":3}}""", "custom_data.size", "Input should be a valid string", "string_type")]
    [InlineData("""{"loot_entitlement":{"type":"durable","loot_id":1},"item_id":"i","item_name":"n","custom_data":{"size":"a\u0000b"}}""", "custom_data.size", "String should match pattern '^[^\\x00]*$'", "string_pattern_mismatch")]
    [InlineData("""{"loot_entitlement":{"type":"durable","loot_id":1},"item_id":"i","item_name":"n","custom_data":{"si\u0000ze":"a"}}""", "custom_data.si\0ze.[key]", "String should match pattern '^[^\\x00]*$'", "string_pattern_mismatch")]
    [InlineData("""{"loot_entitlement":{"type":"durable","loot_id":1},"item_id":"i","item_name":"n","platform":"Epic"}""", "platform", "Must match the platform in the path", "value_error")]
    [InlineData("""{"loot_entitlement":{"type":"durable","loot_id":1},"item_id":"i","item_name":"n","platform":"epic"}""", "platform", ValidationDetail.PlatformEnum, "enum")]
    [InlineData("""{"loot_entitlement":{"type":"durable","loot_id":1},"item_id":"i","item_name":"n","sku":"other"}""", "sku", "Must match the SKU in the path", "value_error")]
    public async Task Put_InvalidBody_Returns422AndStoresNothing(string body, string field, string msg, string type)
    {
        var sku = Unique.Name("sku");

        var response = await _client.SendAsync(HttpMethod.Put, $"{Path}/Steam/{sku}", body);

        JsonAssert.Invalid(response, new ValidationDetail(["body", .. field.Split('.')], msg, type));
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetApiAsync($"{Path}/Steam/{sku}")).Status);
    }

    [Fact]
    public async Task Put_EmptyObject_Returns422ListingEveryMissingField()
    {
        var response = await _client.SendAsync(HttpMethod.Put, $"{Path}/Steam/{Unique.Name("sku")}", "{}");

        JsonAssert.Invalid(response, ValidationDetail.Missing("loot_entitlement"), ValidationDetail.Missing("item_id"), ValidationDetail.Missing("item_name"));
    }

    [Theory]
    [InlineData("", "Field required", "missing")]
    [InlineData("null", "Field required", "missing")]
    [InlineData("[]", "Input should be a valid dictionary or object to extract fields from", "model_attributes_type")]
    public async Task Put_BodyMissingOrNotAnObject_Returns422(string body, string msg, string type)
    {
        var response = await _client.SendAsync(HttpMethod.Put, $"{Path}/Steam/{Unique.Name("sku")}", body);

        JsonAssert.Invalid(response, new ValidationDetail(["body"], msg, type));
    }

    /// <summary>
    /// FastAPI answers 400 for a body Python's json.loads cannot read (an integer of more than 4,300 digits),
    /// before it validates the path or any field: a bad platform in the path included.
    /// </summary>
    [Theory]
    [InlineData("Steam")]
    [InlineData("Stream")]
    public async Task Put_BodyWithAnIntegerOfMoreDigitsThanPythonReads_Returns400AndStoresNothing(string platform)
    {
        var sku = Unique.Name("sku");
        var body = Entry("durable").ToJsonString()[..^1] + ",\"units_per_quantity\":" + new string('5', 4301) + "}";

        var response = await _client.SendAsync(HttpMethod.Put, $"{Path}/{platform}/{sku}", body);

        JsonAssert.BodyNotParsed(response);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetApiAsync($"{Path}/Steam/{sku}")).Status);
    }

    /// <summary>
    /// FastAPI reads a UTF-16 or UTF-32 body as Python's <c>json.loads(bytes)</c> decodes it: stored as in UTF-8;
    /// one Python cannot decode (UTF-32 of a length that is not a multiple of 4) is its 400, and nothing is stored.
    /// </summary>
    [Theory]
    [MemberData(nameof(PythonEncodings.NotUtf8), MemberType = typeof(PythonEncodings))]
    public async Task Put_BodyInUtf16OrUtf32_IsReadAsPythonDecodesIt(string encoding)
    {
        var sku = Unique.Name("sku");
        var entry = WithName(Entry("durable"), "Caf\u00e9 \U0001F600");
        var body = PythonEncodings.Encode(entry.ToJsonString(), encoding);

        var cut = await _client.SendBytesAsync(HttpMethod.Put, $"{Path}/Steam/{sku}", [.. body, 0x20, 0x00, 0x20]);
        var missing = await _client.GetApiAsync($"{Path}/Steam/{sku}");
        var stored = await _client.SendBytesAsync(HttpMethod.Put, $"{Path}/Steam/{sku}", body);

        JsonAssert.BodyNotParsed(cut);
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.True(stored.Status == HttpStatusCode.OK, stored.ToString());
        var read = await _client.GetApiAsync($"{Path}/Steam/{sku}");
        Assert.Equal("Caf\u00e9 \U0001F600", read.BodyObject["item_name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Put_ValidBodySentAsTextPlain_Returns422AndStoresNothing()
    {
        var sku = Unique.Name("sku");

        var response = await _client.SendAsync(HttpMethod.Put, $"{Path}/Steam/{sku}", Entry("durable").ToJsonString(), request =>
            request.Content!.Headers.ContentType = new("text/plain") { CharSet = "utf-8" });

        JsonAssert.Invalid(response, new ValidationDetail(["body"], "Input should be a valid dictionary or object to extract fields from", "model_attributes_type"));
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetApiAsync($"{Path}/Steam/{sku}")).Status);
    }

    [Fact]
    public async Task Put_BadPlatformInPath_Returns422()
    {
        var response = await _client.PutCatalogAsync("Stream", Unique.Name("sku"), Entry("durable"));

        JsonAssert.Invalid(response, ValidationDetail.Path("platform", ValidationDetail.PlatformEnum, "enum"));
    }

    [Fact]
    public async Task Put_SkuLongerThan2048_Returns422()
    {
        var response = await _client.PutCatalogAsync("Steam", new string('s', 2049), Entry("durable"));

        JsonAssert.Invalid(response, ValidationDetail.Path("sku", "String should have at most 2048 characters", "string_too_long"));
    }

    [Fact]
    public async Task Put_SkuOf2048CharactersWithEmojiInThePath_IsAcceptedAsAnEventsSkuIs()
    {
        // 2,048 characters, 2,296 UTF-16 units (248 emoji): the body's sku, and an event's, count characters.
        // (Few enough emoji for the escaped path to stay within Kestrel's request line.)
        var prefix = Unique.Name("s");
        var sku = prefix + new string('a', 2048 - 248 - prefix.Length) + string.Concat(Enumerable.Repeat("\U0001F48E", 248));

        var response = await PutOkAsync(sku, Entry("durable"));

        Assert.Equal(sku, response.Json["sku"]!.GetValue<string>());
    }

    [Fact]
    public async Task Put_BodyNamingTheSamePlatformAndSku_IsAccepted()
    {
        var sku = Unique.Name("sku");
        var body = Entry("durable");
        body["platform"] = "Steam";
        body["sku"] = sku;

        var response = await PutOkAsync(sku, body);

        Assert.Equal(sku, response.Json["sku"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("bundle/starter")]
    [InlineData("50%2Foff")]
    [InlineData("a%20b/c")]
    public async Task Put_SkuWithASlashOrAPercentSign_IsStoredAndReadUnderThatSku(string name)
    {
        // ASP.NET Core leaves "%2F" encoded in route values and decodes "%25": both SKUs used to arrive as "...%2F...".
        var sku = Unique.Name("s") + name;
        var body = Entry("durable");
        body["sku"] = sku;

        var put = await PutOkAsync(sku, body);
        var get = await _client.GetApiAsync($"{Path}/Steam/{Uri.EscapeDataString(sku)}");

        Assert.Equal(sku, put.Json["sku"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, get.Status);
        Assert.Equal(sku, get.Json["sku"]!.GetValue<string>());
    }

    [Fact]
    public async Task Put_SkuWithAnEscapeThatIsNotUtf8_IsTheReplacementCharacterAsPythonDecodesIt()
    {
        // "%FF" is no UTF-8; it was kept as the three characters, the same SKU as "%25FF" spells.
        var prefix = Unique.Name("s");

        var put = await _client.SendAsync(HttpMethod.Put, $"{Path}/Steam/{prefix}%FF", Entry("durable").ToJsonString());
        var other = await _client.SendAsync(HttpMethod.Put, $"{Path}/Steam/{prefix}%25FF", Entry("consumable").ToJsonString());
        var get = await _client.GetApiAsync($"{Path}/Steam/{Uri.EscapeDataString(prefix + "\uFFFD")}");

        Assert.Equal(HttpStatusCode.OK, put.Status);
        Assert.Equal(prefix + "\uFFFD", put.Json["sku"]!.GetValue<string>());
        Assert.Equal(1, put.Json["revision"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.OK, other.Status);
        Assert.Equal(prefix + "%FF", other.Json["sku"]!.GetValue<string>());
        Assert.Equal(1, other.Json["revision"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.OK, get.Status);
        Assert.Equal(prefix + "\uFFFD", get.Json["sku"]!.GetValue<string>());
        Assert.Equal("durable", get.Json["loot_entitlement"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Put_WithStaleIfMatch_Returns412AndLeavesTheEntryUnchanged()
    {
        // Two tools read revision 1; the first PUT with If-Match "1" wins, the second must not overwrite it.
        var sku = Unique.Name("sku");
        await PutOkAsync(sku, Entry("durable"));
        var first = await PutIfAsync(sku, WithName(Entry("durable"), "First"), "If-Match", "\"1\"");

        var second = await PutIfAsync(sku, WithName(Entry("durable"), "Second"), "If-Match", "\"1\"");
        var get = await _client.GetApiAsync($"{Path}/Steam/{sku}");

        Assert.Equal(HttpStatusCode.OK, first.Status);
        JsonAssert.Error(
            HttpStatusCode.PreconditionFailed,
            "precondition_failed",
            $"The catalog entry for Steam SKU '{sku}' is at revision 2 (ETag \"2\"), which the If-Match or If-None-Match header does not allow; nothing was written.",
            second);
        Assert.Equal("\"2\"", second.Headers.ETag?.ToString());
        Assert.Equal("First", get.Json["item_name"]!.GetValue<string>());
        Assert.Equal(2, get.Json["revision"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("\"2\"")]
    [InlineData("\"7\", \"2\"")]
    [InlineData("*")]
    public async Task Put_WithMatchingIfMatch_WritesTheNextRevision(string ifMatch)
    {
        var sku = Unique.Name("sku");
        await PutOkAsync(sku, Entry("durable"));
        await PutOkAsync(sku, Entry("durable"));

        var put = await PutIfAsync(sku, WithName(Entry("durable"), "Renamed"), "If-Match", ifMatch);

        Assert.Equal(HttpStatusCode.OK, put.Status);
        Assert.Equal(3, put.Json["revision"]!.GetValue<long>());
        Assert.Equal("\"3\"", put.Headers.ETag?.ToString());
        Assert.Equal("Renamed", (await _client.GetApiAsync($"{Path}/Steam/{sku}")).Json["item_name"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("\"")]
    [InlineData("W/\"1\"")]
    public async Task Put_WithIfMatchListingNoRevision_Returns412AndLeavesTheEntryUnchanged(string ifMatch)
    {
        // An empty If-Match (a script's unset $ETAG) lists no revision, like a malformed one: nothing can match it.
        // Nor can a weak tag of the current revision: If-Match compares strongly.
        var sku = Unique.Name("sku");
        await PutOkAsync(sku, Entry("durable"));

        var put = await PutIfAsync(sku, WithName(Entry("durable"), "Renamed"), "If-Match", ifMatch);
        var get = await _client.GetApiAsync($"{Path}/Steam/{sku}");

        JsonAssert.Error(
            HttpStatusCode.PreconditionFailed,
            "precondition_failed",
            $"The catalog entry for Steam SKU '{sku}' is at revision 1 (ETag \"1\"), which the If-Match or If-None-Match header does not allow; nothing was written.",
            put);
        Assert.Equal("Item", get.Json["item_name"]!.GetValue<string>());
        Assert.Equal(1, get.Json["revision"]!.GetValue<long>());
    }

    [Fact]
    public async Task Put_WithIfMatchAnyOnAMissingEntry_Returns412AndCreatesNothing()
    {
        var sku = Unique.Name("sku");

        var put = await PutIfAsync(sku, Entry("durable"), "If-Match", "*");

        JsonAssert.Error(
            HttpStatusCode.PreconditionFailed,
            "precondition_failed",
            $"No catalog entry for Steam SKU '{sku}', and If-Match asks for one; nothing was written.",
            put);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetApiAsync($"{Path}/Steam/{sku}")).Status);
    }

    [Fact]
    public async Task Put_WithIfNoneMatchAnyOnAnExistingEntry_Returns412AndLeavesItUnchanged()
    {
        var sku = Unique.Name("sku");
        await PutOkAsync(sku, Entry("durable"));

        var put = await PutIfAsync(sku, WithName(Entry("durable"), "Renamed"), "If-None-Match", "*");
        var get = await _client.GetApiAsync($"{Path}/Steam/{sku}");

        JsonAssert.Error(
            HttpStatusCode.PreconditionFailed,
            "precondition_failed",
            $"The catalog entry for Steam SKU '{sku}' is at revision 1 (ETag \"1\"), which the If-Match or If-None-Match header does not allow; nothing was written.",
            put);
        Assert.Equal("Item", get.Json["item_name"]!.GetValue<string>());
        Assert.Equal(1, get.Json["revision"]!.GetValue<long>());
    }

    [Fact]
    public async Task Put_WithIfNoneMatchAnyOnANewEntry_CreatesRevisionOne()
    {
        var sku = Unique.Name("sku");

        var put = await PutIfAsync(sku, Entry("durable"), "If-None-Match", "*");

        Assert.Equal(HttpStatusCode.OK, put.Status);
        Assert.Equal(1, put.Json["revision"]!.GetValue<long>());
        Assert.Equal("\"1\"", put.Headers.ETag?.ToString());
        Assert.Equal(HttpStatusCode.OK, (await _client.GetApiAsync($"{Path}/Steam/{sku}")).Status);
    }

    [Fact]
    public async Task Put_WithIfNoneMatchNamingTheStoredRevision_Returns412()
    {
        var sku = Unique.Name("sku");
        await PutOkAsync(sku, Entry("durable"));

        var stale = await PutIfAsync(sku, WithName(Entry("durable"), "Renamed"), "If-None-Match", "W/\"1\"");
        var other = await PutIfAsync(sku, WithName(Entry("durable"), "Renamed"), "If-None-Match", "\"5\"");

        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.Status);
        Assert.Equal(HttpStatusCode.OK, other.Status);
        Assert.Equal(2, other.Json["revision"]!.GetValue<long>());
    }

    [Fact]
    public async Task Put_ItemMappedAsAnotherTypeByAnotherSku_Returns409NamingItAndWritesNothing()
    {
        var item = Unique.Name("item");
        var consumable = Unique.Name("gems");
        var badge = Unique.Name("badge");
        Assert.Equal(HttpStatusCode.OK, (await _client.PutCatalogAsync("XboxLive", consumable, Entry("consumable", item))).Status);

        var put = await _client.PutCatalogAsync("Steam", badge, Entry("durable", item));

        JsonAssert.Error(
            HttpStatusCode.Conflict,
            "catalog_item_type_conflict",
            $"Item '{item}' is already mapped as consumable by XboxLive SKU '{consumable}'; an item has one entitlement type across the catalog, so it cannot be mapped as durable here. Nothing was written.",
            put);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetApiAsync($"{Path}/Steam/{badge}")).Status);
    }

    /// <summary>
    /// A SKU segment that is a dot segment, raw or percent-encoded: Kestrel removes it before routing, so the route
    /// matched the segment before it, and the entry used to be stored under "." or ".." (200) instead. It is refused
    /// at the path's SKU and nothing is stored. Sent on a socket: HttpClient would remove the dot segments itself.
    /// </summary>
    [Theory]
    [InlineData("{0}/.")]
    [InlineData("{0}/%2E")]
    [InlineData("{0}/./")]
    [InlineData("{0}/x/%2e%2E")]
    [InlineData("{0}/x/..")]
    public async Task Put_DotSegmentAsTheSku_Returns422AtThePathSkuAndStoresNothing(string segments)
    {
        var sku = Unique.Name("dots");

        var (status, body) = await RawAsync("PUT", $"{Path}/Steam/{string.Format(System.Globalization.CultureInfo.InvariantCulture, segments, sku)}", Entry("durable").ToJsonString());
        var routed = await _client.GetApiAsync($"{Path}/Steam/{sku}");

        Assert.Equal(422, status);
        JsonAssert.Equal(DotSegmentError, body);
        Assert.Equal(HttpStatusCode.NotFound, routed.Status);
    }

    [Theory]
    [InlineData("gems_100/.")]
    [InlineData("gems_100/x/%2E%2E")]
    public async Task Get_DotSegmentAsTheSku_Returns422AtThePathSku(string segments)
    {
        var (status, body) = await RawAsync("GET", $"{Path}/Steam/{segments}", body: null);

        Assert.Equal(422, status);
        JsonAssert.Equal(DotSegmentError, body);
    }

    [Fact]
    public async Task Put_SameSkuKeepingItsItemIdWithAnotherType_Returns409AndWritesNothing()
    {
        var item = Unique.Name("item");
        var sku = Unique.Name("sword");
        Assert.Equal(HttpStatusCode.OK, (await _client.PutCatalogAsync("Steam", sku, Entry("durable", item))).Status);

        var put = await _client.PutCatalogAsync("Steam", sku, Entry("consumable", item));

        JsonAssert.Error(
            HttpStatusCode.Conflict,
            "catalog_item_type_conflict",
            $"This entry maps item '{item}' as durable, and holdings granted under that type keep it; an item's type cannot change, so to map the SKU to another type give it a new item_id. Nothing was written.",
            put);
        var stored = await _client.GetApiAsync($"{Path}/Steam/{sku}");
        Assert.Equal(("durable", 1L), (stored.Json["loot_entitlement"]!["type"]!.GetValue<string>(), stored.Json["revision"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Put_SampleGemsMappedAsADurableByANewSku_Returns409AndWritesNothing()
    {
        // Steam/gems_100 grants item "gems" as a consumable: a durable "gems" would take its holding's type.
        var badge = Unique.Name("gems_badge");

        var put = await _client.PutCatalogAsync("Steam", badge, Entry("durable", "gems"));

        Assert.Equal((HttpStatusCode.Conflict, "catalog_item_type_conflict"), (put.Status, put.Json["error_code"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetApiAsync($"{Path}/Steam/{badge}")).Status);
    }

    [Fact]
    public async Task Put_ItemOfTheSameTypeOnAnotherSku_IsAccepted()
    {
        var item = Unique.Name("item");
        await PutOkAsync(Unique.Name("sku"), Entry("durable", item));

        var put = await _client.PutCatalogAsync("PSN", Unique.Name("sku"), Entry("durable", item));

        Assert.Equal(HttpStatusCode.OK, put.Status);
    }

    [Fact]
    public async Task Put_XboxProductIdOfAnotherXboxSku_Returns409NamingItAndWritesNothing()
    {
        var product = Unique.Name("9P");
        var holder = Unique.Name("xbox");
        var second = Unique.Name("xbox");
        Assert.Equal(HttpStatusCode.OK, (await _client.PutCatalogAsync("XboxLive", holder, WithProduct(Entry("consumable"), product))).Status);

        var put = await _client.PutCatalogAsync("XboxLive", second, WithProduct(Entry("consumable"), product));
        var again = await _client.PutCatalogAsync("XboxLive", holder, WithProduct(Entry("consumable"), product));
        var steam = await _client.PutCatalogAsync("Steam", second, WithProduct(Entry("consumable"), product));

        JsonAssert.Error(
            HttpStatusCode.Conflict,
            "catalog_product_id_conflict",
            $"Platform product id '{product}' already belongs to XboxLive SKU '{holder}'; the Xbox consume maps a product to one entry, so no other XboxLive entry may have it. Nothing was written.",
            put);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetApiAsync($"{Path}/XboxLive/{second}")).Status);
        Assert.Equal((HttpStatusCode.OK, 2L), (again.Status, again.Json["revision"]!.GetValue<long>()));
        Assert.Equal(HttpStatusCode.OK, steam.Status);
    }

    private static JsonObject WithProduct(JsonObject body, string productId)
    {
        body["platform_product_id"] = productId;
        return body;
    }

    /// <summary>An entry of a fresh item unless one is named: an item has one entitlement type across the catalog.</summary>
    private static readonly JsonObject DotSegmentError = new()
    {
        ["detail"] = new JsonArray(new JsonObject
        {
            ["loc"] = new JsonArray("path", "sku"),
            ["msg"] = "Value error, a path segment '.' or '..' (or %2E, %2E%2E) is not a SKU: it is removed from the path before the route is matched",
            ["type"] = "value_error",
        }),
    };

    /// <summary>A request sent on a socket with <paramref name="target"/> exactly as written.</summary>
    private async Task<(int Status, string Body)> RawAsync(string method, string target, string? body)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var bytes = System.Text.Encoding.UTF8.GetBytes(body ?? string.Empty);
        var head = $"{method} {target} HTTP/1.1\r\nHost: localhost\r\nAuthorization: {_client.DefaultRequestHeaders.Authorization}\r\n" +
            (body is null ? string.Empty : $"Content-Type: application/json\r\nContent-Length: {bytes.Length}\r\n") + "Connection: close\r\n\r\n";
        using var tcp = await RawHttp.SendAsync(_client.BaseAddress!, head, bytes, deadline.Token);
        return await RawHttp.ReadResponseAsync(tcp.GetStream(), deadline.Token);
    }

    private static JsonObject Entry(string type, string? itemId = null) => new()
    {
        ["loot_entitlement"] = new JsonObject { ["type"] = type, ["loot_id"] = 5 },
        ["item_id"] = itemId ?? Unique.Name("item"),
        ["item_name"] = "Item",
    };

    private static JsonObject WithName(JsonObject body, string name)
    {
        body["item_name"] = name;
        return body;
    }

    private Task<ApiResponse> PutIfAsync(string sku, JsonObject body, string header, string value) =>
        _client.SendAsync(
            HttpMethod.Put,
            $"{Path}/Steam/{Uri.EscapeDataString(sku)}",
            body.ToJsonString(),
            request => request.Headers.TryAddWithoutValidation(header, value));

    private async Task<ApiResponse> PutOkAsync(string sku, JsonObject body)
    {
        var response = await _client.PutCatalogAsync("Steam", sku, body);
        Assert.True(response.Status == HttpStatusCode.OK, $"PUT {sku} answered {response}");
        return response;
    }
}
