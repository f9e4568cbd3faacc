using System.Text.Json.Nodes;

namespace Entitlements.Tests.Infrastructure;

/// <summary>One expected entry of a 422's <c>detail</c>: <c>loc</c> holds strings and, for JSON decode errors, a position.</summary>
public sealed record ValidationDetail(object[] Loc, string Msg, string Type)
{
    public const string PlatformEnum = "Input should be 'Anon', 'Basic', 'XboxLive', 'PSN', 'NintendoNAID', 'NintendoSwitch', 'NintendoPPID', 'Google', 'GooglePlay', 'Apple', 'Epic', 'Steam', 'Amazon', 'Twitch', 'RallyHere' or 'LegacyName'";
    public const string ActionTypeEnum = "Input should be 'grant', 'refund', 'chargeback' or 'chargeback_reversal'";
    public const string StatusEnum = "Input should be 'success', 'sku_not_found', 'not_implemented', 'player_not_found' or 'ban_failed'";

    public static ValidationDetail Body(string field, string msg, string type) => new(["body", field], msg, type);

    public static ValidationDetail Query(string field, string msg, string type) => new(["query", field], msg, type);

    public static ValidationDetail Path(string field, string msg, string type) => new(["path", field], msg, type);

    public static ValidationDetail Missing(string field) => Body(field, "Field required", "missing");

    public JsonObject ToJson() => new()
    {
        ["loc"] = new JsonArray([.. Loc.Select(part => part switch
        {
            string text => JsonValue.Create(text),
            int number => JsonValue.Create((long)number),
            long number => JsonValue.Create(number),
            _ => throw new ArgumentException($"Unsupported loc part {part}"),
        })]),
        ["msg"] = Msg,
        ["type"] = Type,
    };
}
