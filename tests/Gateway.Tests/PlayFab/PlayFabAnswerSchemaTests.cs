using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.PlayFab;

/// <summary>
/// Every PlayFab answer carries each field PlayFab's Client swagger (<c>../shared/specs/playfab-client.swagger.json</c>)
/// lists as <c>required</c>, at any depth: a client generated from it (NSwag with Newtonsoft's <c>Required.Always</c>)
/// throws on an answer without one.
/// </summary>
public sealed class PlayFabAnswerSchemaTests(XboxGatewayFixture fixture) : IClassFixture<XboxGatewayFixture>
{
    private readonly HttpClient _client = fixture.Client;
    private readonly SimulatorHost _simulator = fixture.Simulator;

    [Fact]
    public async Task LoginWithXbox_AskingForEveryInfo_CarriesEveryRequiredField()
    {
        var xuid = await _simulator.CreateUserAsync();
        var request = new JsonObject
        {
            ["TitleId"] = "E2E1",
            ["XboxToken"] = await _simulator.TokenAsync(xuid),
            ["CreateAccount"] = true,
            ["InfoRequestParameters"] = new JsonObject { ["GetUserAccountInfo"] = true, ["GetUserData"] = true, ["GetUserReadOnlyData"] = true },
        };

        var response = await _client.SendAsync(HttpMethod.Post, "/Client/LoginWithXbox" + PlayFabHttp.Sdk, request.ToJsonString());

        Assert.True(response.Status == HttpStatusCode.OK, $"login answered {response}");
        Assert.Empty(MissingRequired("LoginResult", response.Json["data"]!, "data"));
        Assert.Equal((0, 0), (response.Json["data"]!["InfoResultPayload"]!["UserDataVersion"]!.GetValue<int>(), response.Json["data"]!["InfoResultPayload"]!["UserReadOnlyDataVersion"]!.GetValue<int>()));
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_GrantsAndAnError_CarryEveryRequiredField()
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Test Gems");
        var skin = await _client.PutXboxCatalogAsync("durable", Unique.Name("skin"), "Test Skin");
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("c1", gems.ProductId, "Consumable", 2), SimulatorHost.Item("d1", skin.ProductId, "Durable"));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);

        var consumed = await _client.ConsumeXboxAsync(ticket, token);
        var refused = await _client.ConsumeXboxAsync("not-a-ticket", token);

        Assert.Equal(2, consumed.Json["data"]!["Items"]!.AsArray().Count);
        Assert.Empty(MissingRequired("ConsumeXboxEntitlementsResult", consumed.Json["data"]!, "data"));
        Assert.NotEqual(HttpStatusCode.OK, refused.Status);
        Assert.Empty(MissingRequired("ApiErrorWrapper", refused.Json, ""));
    }

    private static readonly Lazy<JsonObject> Definitions = new(() =>
    {
        var file = Path.Combine(RepositoryFolders.Shared, "specs", "playfab-client.swagger.json");
        Assert.True(File.Exists(file), $"{file} is missing: the tests read PlayFab's specification from ../shared/specs beside the repository");
        return JsonNode.Parse(File.ReadAllText(file))!["definitions"]!.AsObject();
    });

    /// <summary>The paths of the required fields <paramref name="value"/> lacks, as schema <paramref name="definition"/>, at any depth.</summary>
    private static List<string> MissingRequired(string definition, JsonNode value, string path)
    {
        var schema = Definitions.Value[definition]!;
        var missing = new List<string>();
        var answer = value.AsObject();
        foreach (var name in schema["required"]?.AsArray().Select(n => n!.GetValue<string>()) ?? [])
        {
            if (!answer.ContainsKey(name) || answer[name] is null)
            {
                missing.Add($"{path}.{name}");
            }
        }

        foreach (var (name, field) in answer)
        {
            var property = schema["properties"]?[name];
            if (field is null || property is null)
            {
                continue;
            }

            if (Reference(property) is { } nested)
            {
                missing.AddRange(MissingRequired(nested, field, $"{path}.{name}"));
            }
            else if (property["items"] is { } items && Reference(items) is { } itemSchema)
            {
                missing.AddRange(field.AsArray().SelectMany((item, i) => MissingRequired(itemSchema, item!, $"{path}.{name}[{i}]")));
            }
        }

        return missing;

        static string? Reference(JsonNode schema) => schema["$ref"]?.GetValue<string>().Split('/')[^1];
    }
}
