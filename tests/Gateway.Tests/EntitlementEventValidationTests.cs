using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Entitlements.Contracts;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests;

/// <summary>
/// Bad input to <c>POST /inventory/v1/entitlement-event</c>: a 422 in FastAPI's shape listing every
/// problem, never a 5xx, never a partial write.
/// </summary>
public sealed class EntitlementEventValidationTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const string StringTooLong2048 = "String should have at most 2048 characters";
    private readonly HttpClient _client = fixture.Client;

    [Theory]
    [InlineData("""{"action_type": "grant",""", 23)]
    [InlineData("{bad", 1)]
    [InlineData("""{"action_type":"grant"}}""", 23)]
    [InlineData("""{'action_type':'grant'}""", 1)]
    [InlineData("""{"sku":"gems_100" "platform":"Steam"}""", 18)]
    [InlineData("""{"quantity":01}""", 13)]
    [InlineData("""{"sku":"\ud800"}""", 7)]
    [InlineData("""{"platform_data":{"\udc00":1}}""", 18)]
    [InlineData("{\n  \"sku\": \"gems_100\",\n  \"platform\": }", 37)] // on the third line: Python's index counts from the body's start
    [InlineData("{\"sku\":\"\u00e9\u4e2d\U0001F600\" x}", 13)] // 2-, 3- and 4-byte characters before it count as one each
    [InlineData("{\"sku\":\"\u00e9\",\"platform_data\":{\"\\udc00\":1}}", 28)]
    public async Task Post_MalformedJson_Returns422JsonInvalid(string body, int position)
    {
        await AssertRejectedAsync(body, new ValidationDetail(["body", position], "JSON decode error", "json_invalid"));
    }

    /// <summary>
    /// Python's <c>json.loads</c> decodes the body before reading it, and FastAPI answers its <c>UnicodeDecodeError</c>
    /// as any error that is not a <c>JSONDecodeError</c>: 400, before anything else about the body counts.
    /// </summary>
    [Theory]
    [InlineData("in a string")]
    [InlineData("after malformed JSON")]
    [InlineData("a grant in Latin-1")]
    [InlineData("a grant in Latin-1 after a byte order mark")]
    public async Task Post_BytesThatAreNotUtf8_Returns400AsFastApiDoes(string body)
    {
        var grant = await ValidBodyAsync();
        grant["platform_data"] = new JsonObject { ["note"] = "cafe" };
        var latin1 = Encoding.Latin1.GetBytes(grant.ToJsonString().Replace("cafe", "caf\u00e9", StringComparison.Ordinal));
        byte[] bytes = body switch
        {
            "in a string" => [.. "{\"action_type\":\"grant\",\"sku\":\"gems"u8, 0xC3, 0x28, .. "\"}"u8],
            "after malformed JSON" => [.. "{\"action_type\": grant, \"sku\":\""u8, 0xFF, .. "\"}"u8],
            "a grant in Latin-1" => latin1,
            _ => [0xEF, 0xBB, 0xBF, .. latin1],
        };
        var before = await _client.AllEventsAsync();
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json");

        using var answer = await _client.PostAsync(new Uri(GatewayHttp.EventsPath, UriKind.Relative), content);
        var response = new ApiResponse(answer.StatusCode, await answer.Content.ReadAsStringAsync(), answer.Headers, answer.Content.Headers);

        JsonAssert.BodyNotParsed(response);
        Assert.Equal(before.Count, (await _client.AllEventsAsync()).Count);
    }

    [Fact]
    public async Task Post_JsonNestedTooDeep_Returns422JsonInvalid()
    {
        var body = $$"""{"platform_data":{{string.Concat(Enumerable.Repeat("[", 100))}}{{string.Concat(Enumerable.Repeat("]", 100))}}}""";

        var response = await _client.PostEventAsync(body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        var detail = Assert.Single(response.Json["detail"]!.AsArray());
        Assert.Equal("json_invalid", detail!["type"]!.GetValue<string>());
        Assert.Equal("JSON decode error", detail["msg"]!.GetValue<string>());
    }

    /// <summary>FastAPI validates the decoded body, and a JSON <c>null</c> is Python's None: missing, as no body is.</summary>
    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData(" null\n")]
    public async Task Post_EmptyOrNullBody_Returns422BodyMissing(string body)
    {
        await AssertRejectedAsync(body, new ValidationDetail(["body"], "Field required", "missing"));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""[{"action_type":"grant"}]""")]
    [InlineData("42")]
    [InlineData("\"grant\"")]
    public async Task Post_BodyNotAnObject_Returns422ModelAttributesType(string body)
    {
        await AssertRejectedAsync(body, new ValidationDetail(["body"], "Input should be a valid dictionary or object to extract fields from", "model_attributes_type"));
    }

    /// <summary>
    /// FastAPI reads a body as JSON only without a <c>Content-Type</c> or with a JSON one (CVE-2021-32677):
    /// a page on another site can send these without a CORS preflight, with the browser's cookie.
    /// </summary>
    [Theory]
    [InlineData("text/plain")]
    [InlineData("text/plain; charset=utf-8")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("text/json")]
    [InlineData("application/jsonp")]
    [InlineData("application/json-patch")]
    [InlineData("json")]
    public async Task Post_ValidBodyWithAContentTypeThatIsNotJson_Returns422ModelAttributesTypeAndRecordsNothing(string contentType)
    {
        var player = await _client.CreatePlayerAsync();
        var body = EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"));

        var response = await PostWithContentTypeAsync(body, contentType);

        JsonAssert.Invalid(response, new ValidationDetail(["body"], "Input should be a valid dictionary or object to extract fields from", "model_attributes_type"));
        Assert.Empty(await _client.AllEventsAsync($"&player_uuid={player.Uuid}"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("APPLICATION/JSON")]
    [InlineData(" application/json ; charset=utf-8")]
    [InlineData("application/vnd.api+json")]
    [InlineData("application/merge-patch+json")]
    public async Task Post_ValidBodyWithoutAContentTypeOrAJsonOne_IsRecorded(string? contentType)
    {
        var body = await ValidBodyAsync();

        var response = await PostWithContentTypeAsync(body, contentType);

        Assert.True(response.Status == HttpStatusCode.OK, $"Content-Type {contentType}: {response}");
        Assert.Equal(body["platform_transaction_id"]!.GetValue<string>(), response.Json["platform_transaction_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Post_EmptyBodyWithTextPlain_Returns422BodyMissing()
    {
        var response = await PostWithContentTypeAsync(null, "text/plain");

        JsonAssert.Invalid(response, new ValidationDetail(["body"], "Field required", "missing"));
    }

    [Theory]
    [InlineData("action_type")]
    [InlineData("platform")]
    [InlineData("platform_user_id")]
    [InlineData("sku")]
    [InlineData("platform_transaction_id")]
    public async Task Post_MissingRequiredField_Returns422Missing(string field)
    {
        var body = await ValidBodyAsync();
        body.Remove(field);

        await AssertRejectedAsync(body, ValidationDetail.Missing(field));
    }

    [Theory]
    [InlineData("action_type", "Input should be 'grant', 'refund', 'chargeback' or 'chargeback_reversal'", "enum")]
    [InlineData("platform_user_id", "Input should be a valid string", "string_type")]
    [InlineData("sku", "Input should be a valid string", "string_type")]
    [InlineData("platform_transaction_id", "Input should be a valid string", "string_type")]
    public async Task Post_RequiredFieldNull_Returns422TypeError(string field, string message, string type)
    {
        var body = await ValidBodyAsync();
        body[field] = null;

        await AssertRejectedAsync(body, new ValidationDetail(["body", field], message, type));
    }

    [Fact]
    public async Task Post_EmptyObject_Returns422ListingEveryMissingField()
    {
        await AssertRejectedAsync(
            "{}",
            ValidationDetail.Missing("action_type"),
            ValidationDetail.Missing("platform"),
            ValidationDetail.Missing("platform_user_id"),
            ValidationDetail.Missing("sku"),
            ValidationDetail.Missing("platform_transaction_id"));
    }

    [Theory]
    [InlineData("action_type", "GRANT", ValidationDetail.ActionTypeEnum)]
    [InlineData("action_type", "revoke", ValidationDetail.ActionTypeEnum)]
    [InlineData("platform", "steam", ValidationDetail.PlatformEnum)]
    [InlineData("platform", "Xbox", ValidationDetail.PlatformEnum)]
    [InlineData("status", "failed", ValidationDetail.StatusEnum)]
    [InlineData("status", "SUCCESS", ValidationDetail.StatusEnum)]
    public async Task Post_UnknownEnumValue_Returns422Enum(string field, string value, string msg)
    {
        var body = await ValidBodyAsync();
        body[field] = value;

        await AssertRejectedAsync(body, ValidationDetail.Body(field, msg, "enum"));
    }

    [Theory]
    [InlineData("action_type")]
    [InlineData("platform")]
    [InlineData("status")]
    public async Task Post_EnumFieldNotAString_Returns422Enum(string field)
    {
        var body = await ValidBodyAsync();
        body[field] = 1;
        var msg = field switch
        {
            "action_type" => ValidationDetail.ActionTypeEnum,
            "platform" => ValidationDetail.PlatformEnum,
            _ => ValidationDetail.StatusEnum,
        };

        await AssertRejectedAsync(body, ValidationDetail.Body(field, msg, "enum"));
    }

    [Theory]
    [InlineData("platform_user_id", 2049, StringTooLong2048)]
    [InlineData("sku", 2049, StringTooLong2048)]
    [InlineData("platform_transaction_id", 4097, "String should have at most 4096 characters")]
    public async Task Post_StringOverItsLimit_Returns422StringTooLong(string field, int length, string msg)
    {
        var body = await ValidBodyAsync();
        body[field] = new string('x', length);

        await AssertRejectedAsync(body, ValidationDetail.Body(field, msg, "string_too_long"));
    }

    [Theory]
    [InlineData("platform_user_id")]
    [InlineData("sku")]
    [InlineData("platform_transaction_id")]
    public async Task Post_EmptyString_Returns422StringTooShort(string field)
    {
        var body = await ValidBodyAsync();
        body[field] = "";

        await AssertRejectedAsync(body, ValidationDetail.Body(field, "String should have at least 1 character", "string_too_short"));
    }

    [Theory]
    [InlineData("platform_user_id")]
    [InlineData("sku")]
    [InlineData("platform_transaction_id")]
    public async Task Post_StringFieldNotAString_Returns422StringType(string field)
    {
        var body = await ValidBodyAsync();
        body[field] = new JsonArray("x");

        await AssertRejectedAsync(body, ValidationDetail.Body(field, "Input should be a valid string", "string_type"));
    }

    [Fact]
    public async Task Post_StringsAtTheirLimits_AreAccepted()
    {
        var request = EventRequests.Grant(new string('u', 2048), new string('s', 2048), Unique.Name("tx").PadRight(4096, 't'));

        var response = await _client.PostEventAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        (ExpectedEvent.For(request, player: null) with { Status = "player_not_found", EntitlementType = null, LootId = null }).AssertMatches(response.Json);
    }

    [Theory]
    [InlineData("platform_user_id")]
    [InlineData("sku")]
    [InlineData("platform_transaction_id")]
    public async Task Post_StringWithNul_Returns422PatternMismatch(string field)
    {
        var body = await ValidBodyAsync();
        body[field] = "a\u0000b";

        await AssertRejectedAsync(body, ValidationDetail.Body(field, "String should match pattern '^[^\\x00]*$'", "string_pattern_mismatch"));
    }

    [Fact]
    public async Task Post_StringsCountCharactersNotUtf16Units_AtTheLimitAcceptedOneOverRejected()
    {
        // An emoji is one character and two UTF-16 units.
        var emoji = "\U0001F600";
        var atLimit = EventRequests.Grant(Unique.Name("user"), string.Concat(Enumerable.Repeat(emoji, 2048)), Unique.Name("tx"));
        var overLimit = EventRequests.Grant(Unique.Name("user"), string.Concat(Enumerable.Repeat(emoji, 2049)), Unique.Name("tx"));

        var accepted = await _client.PostEventAsync(atLimit);

        Assert.Equal(HttpStatusCode.OK, accepted.Status);
        Assert.Equal(atLimit["sku"]!.GetValue<string>(), accepted.Json["sku"]!.GetValue<string>());
        await AssertRejectedAsync(overLimit, ValidationDetail.Body("sku", StringTooLong2048, "string_too_long"));
    }

    [Theory]
    [InlineData("2.0", 2)]
    [InlineData("1e2", 100)]
    [InlineData("3.000", 3)]
    [InlineData("1E+1", 10)]
    [InlineData("\"2\"", 2)]
    [InlineData("true", 1)]
    [InlineData("\" 2\\n\"", 2)]
    [InlineData("\"+3\"", 3)]
    [InlineData("\"007\"", 7)]
    [InlineData("\"2.00\"", 2)]
    [InlineData("\"1_000\"", 1000)]
    public async Task Post_QuantityWholeButWrittenAsAFloatAStringOrTrue_IsThatInteger(string quantity, long expected)
    {
        var player = await _client.CreatePlayerAsync();
        var body = EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"));
        body["quantity"] = JsonNode.Parse(quantity);

        var answer = await _client.PostEventOkAsync(body);

        Assert.Equal(expected, answer["quantity"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("0", "Input should be greater than 0", "greater_than")]
    [InlineData("2.0000000000000001", "Input should be a valid integer, got a number with a fractional part", "int_from_float")]
    [InlineData("1e7", "Input should be less than or equal to 1000000", "less_than_equal")]
    [InlineData("0.0", "Input should be greater than 0", "greater_than")]
    [InlineData("-1", "Input should be greater than 0", "greater_than")]
    [InlineData("\"0-5\"", "Input should be greater than 0", "greater_than")]
    [InlineData("1000001", "Input should be less than or equal to 1000000", "less_than_equal")]
    [InlineData("1.5", "Input should be a valid integer, got a number with a fractional part", "int_from_float")]
    [InlineData("\"abc\"", "Input should be a valid integer, unable to parse string as an integer", "int_parsing")]
    [InlineData("\"2.5\"", "Input should be a valid integer, unable to parse string as an integer", "int_parsing")]
    [InlineData("\"2.\"", "Input should be a valid integer, unable to parse string as an integer", "int_parsing")]
    [InlineData("\"1e2\"", "Input should be a valid integer, unable to parse string as an integer", "int_parsing")]
    [InlineData("\"\"", "Input should be a valid integer, unable to parse string as an integer", "int_parsing")]
    [InlineData("\"1__0\"", "Input should be a valid integer, unable to parse string as an integer", "int_parsing")]
    [InlineData("\"+-1\"", "Input should be a valid integer, unable to parse string as an integer", "int_parsing")]
    [InlineData("\"0\"", "Input should be greater than 0", "greater_than")]
    [InlineData("false", "Input should be greater than 0", "greater_than")]
    [InlineData("\"1000001\"", "Input should be less than or equal to 1000000", "less_than_equal")]
    [InlineData("\"99999999999999999999\"", "Input should be less than or equal to 1000000", "less_than_equal")]
    [InlineData("[1]", "Input should be a valid integer", "int_type")]
    [InlineData("1e400", "Input should be a valid integer", "int_type")]
    public async Task Post_BadQuantity_Returns422(string quantity, string msg, string type)
    {
        var body = await ValidBodyAsync();
        body["quantity"] = JsonNode.Parse(quantity);

        await AssertRejectedAsync(body, ValidationDetail.Body("quantity", msg, type));
    }

    [Theory]
    [InlineData("\"not-a-uuid\"", "Input should be a valid UUID", "uuid_parsing")]
    [InlineData("\"\"", "Input should be a valid UUID", "uuid_parsing")]
    [InlineData("42", "UUID input should be a string, bytes or UUID object", "uuid_type")]
    [InlineData("{}", "UUID input should be a string, bytes or UUID object", "uuid_type")]
    [InlineData("\"00000000-0000-0000-0000-000000000000\"", "Value error, the nil UUID is no player's", "value_error")]
    public async Task Post_BadPlayerUuid_Returns422(string playerUuid, string msg, string type)
    {
        var body = await ValidBodyAsync();
        body["player_uuid"] = JsonNode.Parse(playerUuid);

        await AssertRejectedAsync(body, ValidationDetail.Body("player_uuid", msg, type));
    }

    [Theory]
    [InlineData("\"text\"")]
    [InlineData("[1,2]")]
    [InlineData("5")]
    [InlineData("false")]
    public async Task Post_PlatformDataNotAnObject_Returns422DictType(string platformData)
    {
        var body = await ValidBodyAsync();
        body["platform_data"] = JsonNode.Parse(platformData);

        await AssertRejectedAsync(body, ValidationDetail.Body("platform_data", "Input should be a valid dictionary", "dict_type"));
    }

    [Fact]
    public async Task Post_PlatformDataOf64KiBOfJson_IsRecordedAndOneByteMore_Returns422()
    {
        // {"r":"..."} is 8 bytes around the text: these are exactly 65,536 bytes of canonical JSON.
        var largest = await ValidBodyAsync();
        largest["platform_data"] = new JsonObject { ["r"] = new string('x', (64 * 1024) - 8) };
        var over = await ValidBodyAsync();
        over["platform_data"] = new JsonObject { ["r"] = new string('x', (64 * 1024) - 7) };

        var recorded = await _client.PostEventAsync(largest);

        Assert.Equal(HttpStatusCode.OK, recorded.Status);
        JsonAssert.Equal(largest["platform_data"], recorded.Json["platform_data"]);
        await AssertRejectedAsync(over, ValidationDetail.Body("platform_data", "Value error, platform_data may hold at most 65536 bytes of JSON", "value_error"));
    }

    [Fact]
    public async Task Post_PlatformDataOfNonAsciiAndPlus_IsMeasuredInTheCallersCharacters()
    {
        // {"r":"..."} is 8 bytes around the text; '+' is one byte of UTF-8, a CJK character three and an emoji
        // four. Escaped as \u002B, \uXXXX and two \uXXXX they were 6, 6 and 12, and this payload was refused.
        var text = string.Concat(Enumerable.Repeat("+\u4e2d\U0001F600", 8_191)); // 8,191 × 8 = 65,528 bytes
        var largest = await ValidBodyAsync();
        largest["platform_data"] = new JsonObject { ["r"] = text };
        var over = await ValidBodyAsync();
        over["platform_data"] = new JsonObject { ["r"] = text + "+" };

        var recorded = await _client.PostEventAsync(largest);
        var replay = await _client.PostEventAsync(largest);

        Assert.Equal(HttpStatusCode.OK, recorded.Status);
        JsonAssert.Equal(largest["platform_data"], recorded.Json["platform_data"]);
        Assert.Equal(recorded.ToString(), replay.ToString());
        // Answered in the caller's characters too, not as \uXXXX escapes six bytes each.
        Assert.Contains($"\"platform_data\":{{\"r\":\"{text}\"}}", recorded.Body, StringComparison.Ordinal);
        var listed = await _client.SendAsync(HttpMethod.Get, $"{GatewayHttp.EventsPath}?player_uuid={recorded.Json["player_uuid"]}");
        Assert.Contains($"\"platform_data\":{{\"r\":\"{text}\"}}", listed.Body, StringComparison.Ordinal);
        await AssertRejectedAsync(over, ValidationDetail.Body("platform_data", "Value error, platform_data may hold at most 65536 bytes of JSON", "value_error"));
    }

    /// <summary>
    /// CPython (3.11 and later) converts a JSON integer of at most 4,300 digits (<c>sys.int_max_str_digits</c>);
    /// <c>json.loads</c> raises a plain <c>ValueError</c> on a longer one, which FastAPI answers 400. Such a
    /// number was recorded and echoed, after which the answer and every listing page holding the event could
    /// not be read by a Python client, for good. <c>{N}</c> stands for an integer of N digits.
    /// </summary>
    [Theory]
    [InlineData("""{"n": {4301}}""")]
    [InlineData("""{"n": -{4301}}""")]
    [InlineData("""{"a": [1, {"b": [true, {4301}]}]}""")]
    [InlineData("""{"n": {9000}}""")]
    public async Task Post_PlatformDataWithAnIntegerOfMoreDigitsThanPythonReads_Returns400AndRecordsNothing(string platformData)
    {
        var body = await ValidBodyAsync();
        body["platform_data"] = JsonNode.Parse(WithDigits(platformData));

        await AssertNotParsedAsync(body.ToJsonString());
    }

    /// <summary>
    /// The 400 is FastAPI's answer to the body, before any field is looked at: an integer that long anywhere in
    /// it (a field the route ignores, a bad quantity), even one followed by bad JSON, which Python reads after
    /// the number.
    /// </summary>
    [Theory]
    [InlineData(""", "quantity": {4301}}""")]
    [InlineData(""", "quantity": -{4301}}""")]
    [InlineData(""", "unknown": {4301}}""")]
    [InlineData(""", "platform_data": {"n": {4301}.}}""")]
    [InlineData(""", "platform_data": {"n": {4301}e}}""")]
    [InlineData(""", "platform_data": {"n": {4301}x}}""")]
    [InlineData(""", "platform_data": {"n": {4301}, }}""")]
    [InlineData(""", "unknown": [1, {4301}] x}""")]
    [InlineData(""", "unknown": [{4301} 1]}""")]
    public async Task Post_BodyWithAnIntegerOfMoreDigitsThanPythonReadsAnywhere_Returns400AndRecordsNothing(string end)
    {
        var body = (await ValidBodyAsync()).ToJsonString();

        await AssertNotParsedAsync(body[..^1] + WithDigits(end));
    }

    [Theory]
    [InlineData(""", "platform_data": {"n": 1}, "quantity": 1 x {4301}}""", 43)]
    [InlineData(""", "platform_data": {"n": 0{4301}}}""", 26)]
    [InlineData(""", "platform_data": {"n" {4301}}}""", 24)]
    [InlineData(""", "unknown": [1 {4301}]}""", 16)]
    public async Task Post_BadJsonBeforeALongInteger_Returns422JsonInvalid(string end, int position)
    {
        var body = (await ValidBodyAsync()).ToJsonString();
        var json = body[..^1] + WithDigits(end);

        await AssertRejectedAsync(json, new ValidationDetail(["body", (body.Length - 1) + position], "JSON decode error", "json_invalid"));
    }

    /// <summary>
    /// Numbers within a double are recorded and answered as written, however many digits they are written with:
    /// an integer of 308 digits, the largest double, a number so small it reads as 0, a long fraction.
    /// </summary>
    [Fact]
    public async Task Post_PlatformDataWithNumbersWithinADouble_IsRecordedAndEchoedAsWritten()
    {
        var body = await ValidBodyAsync();
        var platformData = WithDigits("""{"a":{308},"b":-{308},"c":{300}.5,"d":-1.7976931348623157e308,"e":1e-400,"f":"{5000}","g":[0.{5000}]}""");
        var json = body.ToJsonString()[..^1] + ",\"platform_data\":" + platformData + "}";

        var recorded = await _client.PostEventAsync(json);

        Assert.Equal(HttpStatusCode.OK, recorded.Status);
        Assert.Contains($"\"platform_data\":{platformData},", recorded.Body, StringComparison.Ordinal);
        var listed = await _client.SendAsync(HttpMethod.Get, $"{GatewayHttp.EventsPath}?player_uuid={recorded.Json["player_uuid"]}");
        Assert.Contains($"\"platform_data\":{platformData},", listed.Body, StringComparison.Ordinal);
    }

    /// <summary><paramref name="template"/> with each <c>{N}</c> replaced by an integer of N digits.</summary>
    private static string WithDigits(string template) =>
        System.Text.RegularExpressions.Regex.Replace(template, @"\{(\d+)\}", m => "9" + new string('8', int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) - 1));

    /// <summary>The request is answered FastAPI's 400 for a body it cannot parse, and no event was written.</summary>
    private async Task AssertNotParsedAsync(string body)
    {
        var before = await _client.AllEventsAsync();

        var response = await _client.PostEventAsync(body);

        JsonAssert.BodyNotParsed(response);
        var after = await _client.AllEventsAsync();
        Assert.Equal(before.Select(e => e.ToJsonString()), after.Select(e => e.ToJsonString()));
    }

    [Fact]
    public async Task Post_BodyWithAUtf8ByteOrderMark_IsRead()
    {
        var player = await _client.CreatePlayerAsync();
        var request = EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"));
        byte[] body = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(request.ToJsonString())];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");

        using var answer = await _client.PostAsync(new Uri(GatewayHttp.EventsPath, UriKind.Relative), content);
        var response = new ApiResponse(answer.StatusCode, await answer.Content.ReadAsStringAsync(), answer.Headers, answer.Content.Headers);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        (ExpectedEvent.For(request, player) with { EntitlementType = "consumable", LootId = 1001, OrderIsOwnEvent = true }).AssertMatches(response.Json);
    }

    [Fact]
    public async Task Post_MalformedBodyAfterAUtf8ByteOrderMark_CountsPositionsAfterIt()
    {
        byte[] body = [0xEF, 0xBB, 0xBF, .. "{bad"u8];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");

        using var answer = await _client.PostAsync(new Uri(GatewayHttp.EventsPath, UriKind.Relative), content);
        var response = new ApiResponse(answer.StatusCode, await answer.Content.ReadAsStringAsync(), answer.Headers, answer.Content.Headers);

        JsonAssert.Invalid(response, new ValidationDetail(["body", 1], "JSON decode error", "json_invalid"));
    }

    /// <summary>
    /// Python's <c>json.loads(bytes)</c> reads UTF-16 and UTF-32 too, told from a byte order mark or from the NULs
    /// of the first bytes: such a grant is recorded as its UTF-8 form is (an emoji is a surrogate pair in UTF-16).
    /// </summary>
    [Theory]
    [MemberData(nameof(PythonEncodings.NotUtf8), MemberType = typeof(PythonEncodings))]
    public async Task Post_GrantInUtf16OrUtf32_IsRecorded(string encoding)
    {
        var player = await _client.CreatePlayerAsync();
        var request = EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"));
        request["platform_data"] = new JsonObject { ["note"] = "caf\u00e9 \u4e2d \U0001F600" };

        var response = await _client.SendBytesAsync(HttpMethod.Post, GatewayHttp.EventsPath, PythonEncodings.Encode(request.ToJsonString(), encoding));

        Assert.Equal(HttpStatusCode.OK, response.Status);
        (ExpectedEvent.For(request, player) with { EntitlementType = "consumable", LootId = 1001, OrderIsOwnEvent = true }).AssertMatches(response.Json);
    }

    /// <summary>
    /// A <c>json_invalid</c> position in a UTF-16 or UTF-32 body is Python's: characters of the decoded text, from
    /// after the byte order mark, a surrogate pair one character. A second mark is a character, not JSON.
    /// </summary>
    [Theory]
    [InlineData("utf-16le", "{\"sku\":\"\u00e9\u4e2d\U0001F600\" x}", 13)]
    [InlineData("utf-16be+bom", "{\"sku\":\"\u00e9\u4e2d\U0001F600\" x}", 13)]
    [InlineData("utf-32le+bom", "{\"sku\":\"\u00e9\u4e2d\U0001F600\" x}", 13)]
    [InlineData("utf-32be", "{\n  \"sku\": \"gems_100\",\n  \"platform\": }", 37)]
    [InlineData("utf-16le+bom", "\uFEFF{}", 0)]
    [InlineData("utf-32be+bom", "\uFEFF{}", 0)]
    [InlineData("utf-16be+bom", "", 0)]
    public async Task Post_MalformedJsonInUtf16OrUtf32_Returns422JsonInvalidAtPythonsPosition(string encoding, string json, int position)
    {
        var before = await _client.AllEventsAsync();

        var response = await _client.SendBytesAsync(HttpMethod.Post, GatewayHttp.EventsPath, PythonEncodings.Encode(json, encoding));

        JsonAssert.Invalid(response, new ValidationDetail(["body", position], "JSON decode error", "json_invalid"));
        Assert.Equal(before.Count, (await _client.AllEventsAsync()).Count);
    }

    /// <summary>
    /// Where Python's decoding of UTF-16 or UTF-32 fails (a unit cut short, a UTF-32 unit past U+10FFFF), its
    /// <c>UnicodeDecodeError</c> is FastAPI's 400, whatever else is wrong with the body.
    /// </summary>
    [Theory]
    [InlineData("utf-16le", "odd length")]
    [InlineData("utf-16be+bom", "odd length")]
    [InlineData("utf-32le", "length not a multiple of 4")]
    [InlineData("utf-32be+bom", "length not a multiple of 4")]
    [InlineData("utf-32le", "a unit past U+10FFFF")]
    [InlineData("utf-32be+bom", "a unit past U+10FFFF after malformed JSON")]
    public async Task Post_BodyPythonCannotDecodeAsUtf16OrUtf32_Returns400AsFastApiDoes(string encoding, string fault)
    {
        var grant = await ValidBodyAsync();
        var bigEndian = encoding.Contains("be", StringComparison.Ordinal);
        byte[] beyond = bigEndian ? [0x00, 0x11, 0x00, 0x00] : [0x00, 0x00, 0x11, 0x00];
        byte[] bytes = fault switch
        {
            "odd length" => [.. PythonEncodings.Encode(grant.ToJsonString(), encoding), 0x20],
            "length not a multiple of 4" => [.. PythonEncodings.Encode(grant.ToJsonString(), encoding), 0x20, 0x00],
            "a unit past U+10FFFF" => [.. PythonEncodings.Encode(grant.ToJsonString()[..^1], encoding), .. beyond, .. PythonEncodings.Encode("}", encoding[..8])],
            _ => [.. PythonEncodings.Encode("{bad ", encoding), .. beyond],
        };
        var before = await _client.AllEventsAsync();

        var response = await _client.SendBytesAsync(HttpMethod.Post, GatewayHttp.EventsPath, bytes);

        JsonAssert.BodyNotParsed(response);
        Assert.Equal(before.Count, (await _client.AllEventsAsync()).Count);
    }

    /// <summary>
    /// A lone surrogate in a UTF-16 or UTF-32 body (which Python's <c>surrogatepass</c> reads) is answered as one
    /// in a UTF-8 body (its three bytes <c>ED A0 80</c>): a 422 <c>json_invalid</c> at the same character.
    /// </summary>
    [Theory]
    [InlineData("utf-16le", new byte[] { 0x00, 0xD8 })]
    [InlineData("utf-16be+bom", new byte[] { 0xDC, 0x00 })]
    [InlineData("utf-32le", new byte[] { 0x00, 0xD8, 0x00, 0x00 })]
    [InlineData("utf-32be+bom", new byte[] { 0x00, 0x00, 0xD8, 0x00 })]
    public async Task Post_LoneSurrogateInUtf16OrUtf32_IsAnsweredAsInUtf8(string encoding, byte[] surrogate)
    {
        byte[] utf8 = [.. "{\"sku\":\"gems"u8, 0xED, 0xA0, 0x80, .. "\"}"u8];
        byte[] other = [.. PythonEncodings.Encode("{\"sku\":\"gems", encoding), .. surrogate, .. PythonEncodings.Encode("\"}", encoding[..8])];

        var expected = await _client.SendBytesAsync(HttpMethod.Post, GatewayHttp.EventsPath, utf8);
        var response = await _client.SendBytesAsync(HttpMethod.Post, GatewayHttp.EventsPath, other);

        JsonAssert.Invalid(expected, new ValidationDetail(["body", 12], "JSON decode error", "json_invalid"));
        Assert.Equal(expected.ToString(), response.ToString());
    }

    [Fact]
    public async Task Post_ManyProblems_Returns422ListingEachInFieldOrder()
    {
        var body = new JsonObject
        {
            ["platform_data"] = "x",
            ["quantity"] = 0,
            ["sku"] = new string('s', 2049),
            ["platform"] = "Steam",
            ["player_uuid"] = "nope",
            ["status"] = "done",
            ["action_type"] = "gift",
        };

        await AssertRejectedAsync(
            body,
            ValidationDetail.Body("action_type", ValidationDetail.ActionTypeEnum, "enum"),
            ValidationDetail.Body("status", ValidationDetail.StatusEnum, "enum"),
            ValidationDetail.Body("player_uuid", "Input should be a valid UUID", "uuid_parsing"),
            ValidationDetail.Missing("platform_user_id"),
            ValidationDetail.Body("sku", StringTooLong2048, "string_too_long"),
            ValidationDetail.Body("quantity", "Input should be greater than 0", "greater_than"),
            ValidationDetail.Missing("platform_transaction_id"),
            ValidationDetail.Body("platform_data", "Input should be a valid dictionary", "dict_type"));
    }

    [Fact]
    public async Task Post_NullOptionalFields_AreTreatedAsAbsent()
    {
        var player = await _client.CreatePlayerAsync();
        var request = EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"));
        var withNulls = request.DeepClone().AsObject();
        withNulls["status"] = null;
        withNulls["player_uuid"] = null;
        withNulls["platform_data"] = null;

        var response = await _client.PostEventAsync(withNulls);
        var replay = await _client.PostEventAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        (ExpectedEvent.For(request, player) with { EntitlementType = "consumable", LootId = 1001, OrderIsOwnEvent = true }).AssertMatches(response.Json);
        Assert.Equal(response.ToString(), replay.ToString());
    }

    /// <summary>
    /// A refund's, chargeback's or reversal's quantity is within 32 bits, as RallyHere's generated clients read it;
    /// a float whole but beyond is read as pydantic reads it (2^63 for the last) and gets the bound's error.
    /// </summary>
    [Theory]
    [InlineData("refund", "2147483648", "Input should be less than or equal to 2147483647", "less_than_equal")]
    [InlineData("refund", "3000000000", "Input should be less than or equal to 2147483647", "less_than_equal")]
    [InlineData("chargeback", "-2147483649", "Input should be greater than or equal to -2147483648", "greater_than_equal")]
    [InlineData("chargeback", "-9223372036854775808", "Input should be greater than or equal to -2147483648", "greater_than_equal")]
    [InlineData("chargeback_reversal", "9223372036854775807", "Input should be less than or equal to 2147483647", "less_than_equal")]
    [InlineData("refund", "9223372036854775807.0", "Input should be less than or equal to 2147483647", "less_than_equal")]
    [InlineData("refund", "\"3000000000\"", "Input should be less than or equal to 2147483647", "less_than_equal")]
    public async Task Post_RevocationQuantityBeyond32Bits_Returns422(string actionType, string quantity, string msg, string type)
    {
        var body = await ValidBodyAsync();
        body["action_type"] = actionType;
        body["quantity"] = JsonNode.Parse(quantity);

        await AssertRejectedAsync(body, ValidationDetail.Body("quantity", msg, type));
    }

    [Theory]
    [InlineData("""{"x":1e400}""")]
    [InlineData("""{"x":-1e400}""")]
    [InlineData("""{"a":[1,{"b":[2.5,1.8e308]}]}""")]
    [InlineData("""{"big":{310}}""")]
    public async Task Post_PlatformDataWithANumberBeyondADouble_Returns422(string platformData)
    {
        var body = (await ValidBodyAsync()).ToJsonString();
        var json = body[..^1] + ",\"platform_data\":" + WithDigits(platformData) + "}";

        await AssertRejectedAsync(json, ValidationDetail.Body("platform_data", "Value error, platform_data may hold no number beyond what a double holds (±1.7976931348623157e308)", "value_error"));
    }

    [Fact]
    public async Task Post_NullQuantity_Returns422IntType()
    {
        // quantity is a plain integer with a default in RallyHere's schema, not nullable: FastAPI refuses null.
        var body = await ValidBodyAsync();
        body["quantity"] = null;

        await AssertRejectedAsync(body, ValidationDetail.Body("quantity", "Input should be a valid integer", "int_type"));
    }

    [Theory]
    [InlineData("refund", 0L)]
    [InlineData("chargeback", -1L)]
    [InlineData("refund", 2_000_000L)]
    [InlineData("chargeback_reversal", int.MaxValue)]
    [InlineData("chargeback", int.MinValue)]
    public async Task Post_RevocationWithAQuantityAGrantCannotHave_IsRecordedAndApplied(string actionType, long quantity)
    {
        var player = await _client.CreatePlayerAsync();
        var transaction = Unique.Name("tx");
        var grant = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", transaction));
        if (actionType == "chargeback_reversal")
        {
            await _client.PostEventOkAsync(EventRequests.Create("chargeback", player.PlatformUserId, "gems_100", transaction));
        }

        var answer = await _client.PostEventOkAsync(EventRequests.Create(actionType, player.PlatformUserId, "gems_100", transaction, quantity));

        Assert.Equal(quantity, answer["quantity"]!.GetValue<long>());
        Assert.Equal("success", answer["status"]!.GetValue<string>());
        Assert.Equal(ExpectedEvent.Id(grant), answer["order_id"]!.GetValue<string>());
        var gems = Assert.Single(await _client.EntitlementsOkAsync(player.Uuid))!;
        Assert.Equal(actionType == "chargeback_reversal" ? "ACTIVE" : "REVOKED", gems["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Post_UnknownFields_AreIgnored()
    {
        var player = await _client.CreatePlayerAsync();
        var request = EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"));
        var withExtra = request.DeepClone().AsObject();
        withExtra["key_claim_uuid"] = Guid.NewGuid().ToString();
        withExtra["something_else"] = new JsonArray(1, 2);

        var response = await _client.PostEventAsync(withExtra);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        (ExpectedEvent.For(request, player) with { EntitlementType = "consumable", LootId = 1001, OrderIsOwnEvent = true }).AssertMatches(response.Json);
    }

    [Fact]
    public async Task Post_RandomlyMutatedBodies_NeverAnswer5xx()
    {
        var player = await _client.CreatePlayerAsync();
        var random = new Random(20251125);
        var answered = new Dictionary<HttpStatusCode, int>();
        for (var i = 0; i < 300; i++)
        {
            var body = Mutate(random, player, i);

            var response = await _client.PostEventAsync(body);

            Assert.True((int)response.Status < 500, $"body {body} answered {response}");
            Assert.Contains(response.Status, new[] { HttpStatusCode.OK, HttpStatusCode.NotFound, HttpStatusCode.Conflict, HttpStatusCode.UnprocessableEntity });
            var json = response.Json;
            if (response.Status == HttpStatusCode.UnprocessableEntity)
            {
                Assert.All(json["detail"]!.AsArray(), d =>
                {
                    Assert.Equal("body", d!["loc"]![0]!.GetValue<string>());
                    Assert.False(string.IsNullOrEmpty(d["msg"]!.GetValue<string>()));
                    Assert.False(string.IsNullOrEmpty(d["type"]!.GetValue<string>()));
                });
            }
            else if (response.Status == HttpStatusCode.OK)
            {
                Assert.Matches(WireTime.RallyHere(), json["created"]!.GetValue<string>());
            }

            answered[response.Status] = answered.GetValueOrDefault(response.Status) + 1;
        }

        Assert.True(answered.GetValueOrDefault(HttpStatusCode.UnprocessableEntity) > 50, "the mutations should mostly be invalid");
        Assert.True(answered.GetValueOrDefault(HttpStatusCode.OK) > 10, "some mutations should stay valid");
    }

    private static readonly string[] ActionTypes = ["grant", "refund", "chargeback", "chargeback_reversal"];

    private static readonly string[] Skus = ["gems_100", "credits_500", "season_pass", "founders_pack", "gift_card", "unknown"];

    private static readonly string[] Fields = ["action_type", "platform", "platform_user_id", "sku", "platform_transaction_id", "quantity", "status", "player_uuid", "platform_data"];

    private static readonly string[] Values =
    [
        "null", "true", "false", "0", "-1", "1", "2", "1.5", "-0.0", "1e400", "9223372036854775808", "-9223372036854775809", "\"\"", "\"grant\"",
        "\"refund\"", "\"chargeback_reversal\"", "\"Steam\"", "\"PSN\"", "\"success\"", "\"ban_failed\"", "\"gems_100\"", "\"season_pass\"",
        "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00x\"", "\"é😀\"", "\"00000000-0000-0000-0000-000000000000\"", "[]", "{}", "[{}]",
        "{\"a\":{\"b\":[1,2,{\"c\":null}]}}", "\"" + new string('x', 5000) + "\"",
    ];

    private static string Mutate(Random random, Player player, int index)
    {
        var body = EventRequests.Create(
            ActionTypes[random.Next(ActionTypes.Length)],
            random.Next(3) == 0 ? Unique.Name("unlinked") : player.PlatformUserId,
            Skus[random.Next(Skus.Length)],
            $"fuzz-{index % 40}",
            quantity: random.Next(1, 4),
            platformData: new JsonObject { ["i"] = index });
        // Values are spliced into the text, so that they can be what no JsonNode holds (a lone surrogate escape).
        var raw = new List<string>();
        for (var round = random.Next(1, 4); round > 0; round--)
        {
            var field = Fields[random.Next(Fields.Length)];
            switch (random.Next(3))
            {
                case 0:
                    body.Remove(field);
                    break;
                case 1:
                    if (body[field] is { } value)
                    {
                        body.Remove(field);
                        body[field.ToUpperInvariant()] = value;
                    }

                    break;
                default:
                    body[field] = $"@@{raw.Count}@@";
                    raw.Add(Values[random.Next(Values.Length)]);
                    break;
            }
        }

        var json = body.ToJsonString();
        for (var i = 0; i < raw.Count; i++)
        {
            json = json.Replace($"\"@@{i}@@\"", raw[i], StringComparison.Ordinal);
        }

        var text = new StringBuilder(json);
        switch (random.Next(6))
        {
            case 0:
                text.Length = random.Next(text.Length);
                break;
            case 1:
                text.Insert(random.Next(text.Length), "{}[],:\"\\x0 "[random.Next(11)]);
                break;
            case 2:
                text[random.Next(text.Length)] = (char)random.Next(32, 127);
                break;
            case 3:
                text.Insert(0, '[').Append(']');
                break;
            default:
                break;
        }

        return text.ToString();
    }

    private async Task<JsonObject> ValidBodyAsync()
    {
        var player = await _client.CreatePlayerAsync();
        return EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"));
    }

    [Fact]
    public async Task Post_GrantPastTheLargestBalance_Returns422AndRecordsNothing()
    {
        var player = await _client.CreatePlayerAsync();
        var sku = Unique.Name("sku");
        var entry = new JsonObject
        {
            ["loot_entitlement"] = new JsonObject { ["type"] = "consumable", ["loot_id"] = 5 },
            ["item_id"] = Unique.Name("item"),
            ["item_name"] = "Gems",
            ["units_per_quantity"] = 1_000_000_000,
        };
        Assert.Equal(HttpStatusCode.OK, (await _client.PutCatalogAsync("Steam", sku, entry)).Status);

        // A service inside the cluster grants nearly all a balance holds (its quantity has no gateway bound)...
        var events = fixture.App.Services.GetRequiredService<IGrainFactory>().GetGrain<IEntitlementEventsGrain>(0);
        SubmitEntitlementEvent Grant(long quantity) => new()
        {
            ActionType = EntitlementActionType.Grant,
            Platform = Platform.Steam,
            PlatformUserId = player.PlatformUserId,
            Sku = sku,
            Quantity = quantity,
            PlatformTransactionId = Unique.Name("tx"),
        };
        // (Each grant's quantity is within 32 bits: four of the most and one more make 9,223,000,000 quantities.)
        var first = Grant(int.MaxValue);
        Assert.Equal(EntitlementEventOutcome.Recorded, (await events.SubmitAsync(first)).Outcome);
        foreach (var quantity in new long[] { int.MaxValue, int.MaxValue, int.MaxValue, 9_223_000_000 - (4L * int.MaxValue) })
        {
            Assert.Equal(EntitlementEventOutcome.Recorded, (await events.SubmitAsync(Grant(quantity))).Outcome);
        }

        // A retry of that grant is its replay, although deciding it as a new grant would pass the bound.
        Assert.Equal(EntitlementEventOutcome.Replayed, (await events.SubmitAsync(first)).Outcome);

        // ...so that one more grant would wrap it round: refused, to the cluster's caller and over HTTP alike.
        // The cluster's caller gets an ArgumentOutOfRangeException, of the type the gateway answers with the 422.
        Assert.IsAssignableFrom<ArgumentOutOfRangeException>(await Assert.ThrowsAsync<BalanceLimitException>(() => events.SubmitAsync(Grant(int.MaxValue))));
        await AssertRejectedAsync(
            EventRequests.Grant(player.PlatformUserId, sku, Unique.Name("tx"), quantity: 1_000_000),
            ValidationDetail.Body("quantity", "Value error, the item's balance would exceed 9223372036854775807 units; nothing was recorded", "value_error"));

        var gems = Assert.Single(await _client.EntitlementsOkAsync(player.Uuid))!;
        Assert.Equal(("ACTIVE", (long)int.MaxValue), (gems["status"]!.GetValue<string>(), gems["useCount"]!.GetValue<long>()));
        Assert.Equal(5, (await _client.AllEventsAsync($"&player_uuid={player.Uuid}")).Count);
    }

    /// <summary>POST the body with exactly this <c>Content-Type</c> header, or none when null.</summary>
    private async Task<ApiResponse> PostWithContentTypeAsync(JsonObject? body, string? contentType)
    {
        using var content = new ByteArrayContent(body is null ? [] : Encoding.UTF8.GetBytes(body.ToJsonString()));
        if (contentType is not null)
        {
            Assert.True(content.Headers.TryAddWithoutValidation("Content-Type", contentType));
        }

        using var answer = await _client.PostAsync(new Uri(GatewayHttp.EventsPath, UriKind.Relative), content);
        return new ApiResponse(answer.StatusCode, await answer.Content.ReadAsStringAsync(), answer.Headers, answer.Content.Headers);
    }

    private Task AssertRejectedAsync(JsonObject body, params ValidationDetail[] details) => AssertRejectedAsync(body.ToJsonString(), details);

    /// <summary>The request is answered 422 with exactly these details, and no event was written.</summary>
    private async Task AssertRejectedAsync(string body, params ValidationDetail[] details)
    {
        var before = await _client.AllEventsAsync();

        var response = await _client.PostEventAsync(body);

        JsonAssert.Invalid(response, details);
        var after = await _client.AllEventsAsync();
        Assert.Equal(before.Select(e => e.ToJsonString()), after.Select(e => e.ToJsonString()));
    }
}
