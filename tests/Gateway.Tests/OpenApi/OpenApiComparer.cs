using System.Text.Json.Nodes;

namespace Entitlements.Tests.OpenApi;

/// <summary>
/// Compares operations of two OpenAPI 3.1 documents structurally: operation ids, request bodies, the
/// responses and parameters the expected document lists, security, and every schema they reach,
/// following <c>$ref</c>s into the components (which must have the same names). A schema is compared in a
/// canonical form: <c>type</c>, <c>format</c>, <c>enum</c> (in order), <c>items</c>, <c>properties</c>,
/// <c>required</c> (as a set), <c>additionalProperties</c>, <c>maxLength</c>, alternatives, and nullability,
/// whether written <c>anyOf: [X, {type: null}]</c> or <c>type: [X, "null"]</c>. Titles, descriptions,
/// examples and defaults are prose and not compared; an integer's width (<c>int32</c>, <c>int64</c>) is a
/// refinement of <c>integer</c> and not compared. Extra responses or parameters in the actual document are
/// allowed (the gateway answers 503 and pages with <c>limit</c>, which RallyHere does not list).
/// </summary>
internal sealed class OpenApiComparer(JsonObject expected, JsonObject actual)
{
    private readonly List<string> _differences = [];
    private readonly Queue<string> _pendingComponents = new();
    private readonly HashSet<string> _seenComponents = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Differences => _differences;

    /// <summary>Compare one operation, then every component schema it reaches.</summary>
    public void CompareOperation(string expectedPath, string actualPath, string method)
    {
        var at = $"{method.ToUpperInvariant()} {actualPath}";
        var expectedOperation = expected["paths"]?[expectedPath]?[method] as JsonObject;
        var actualOperation = actual["paths"]?[actualPath]?[method] as JsonObject;
        if (expectedOperation is null || actualOperation is null)
        {
            _differences.Add($"{at}: the operation is {(expectedOperation is null ? "not in the expected document" : "missing")}");
            return;
        }

        Same($"{at} operationId", expectedOperation["operationId"], actualOperation["operationId"]);
        CompareRequestBody(at, expectedOperation["requestBody"], actualOperation["requestBody"]);
        CompareResponses(at, expectedOperation["responses"] as JsonObject, actualOperation["responses"] as JsonObject);
        CompareParameters(at, expectedOperation["parameters"] as JsonArray, actualOperation["parameters"] as JsonArray);
        CompareSecurity(at, expectedOperation["security"] as JsonArray, actualOperation["security"] as JsonArray);
        while (_pendingComponents.TryDequeue(out var name))
        {
            var expectedSchema = expected["components"]?["schemas"]?[name];
            var actualSchema = actual["components"]?["schemas"]?[name];
            if (actualSchema is null)
            {
                _differences.Add($"components.schemas.{name}: missing");
                continue;
            }

            Diff($"components.schemas.{name}", Canonical(expectedSchema), Canonical(actualSchema));
        }
    }

    private void CompareRequestBody(string at, JsonNode? expectedBody, JsonNode? actualBody)
    {
        if (expectedBody is null || actualBody is null)
        {
            if (expectedBody is not null || actualBody is not null)
            {
                _differences.Add($"{at} requestBody: expected {(expectedBody is null ? "none" : "one")}, actual {(actualBody is null ? "none" : "one")}");
            }

            return;
        }

        Same($"{at} requestBody.required", expectedBody["required"] ?? false, actualBody["required"] ?? false);
        CompareContent($"{at} requestBody", expectedBody, actualBody);
    }

    private void CompareResponses(string at, JsonObject? expectedResponses, JsonObject? actualResponses)
    {
        foreach (var (status, expectedResponse) in expectedResponses ?? [])
        {
            if (actualResponses?[status] is not { } actualResponse)
            {
                _differences.Add($"{at} responses.{status}: missing");
                continue;
            }

            CompareContent($"{at} responses.{status}", expectedResponse!, actualResponse);
        }
    }

    private void CompareContent(string at, JsonNode expectedOwner, JsonNode actualOwner)
    {
        var expectedContent = expectedOwner["content"] as JsonObject ?? [];
        var actualContent = actualOwner["content"] as JsonObject ?? [];
        foreach (var (mediaType, expectedMedia) in expectedContent)
        {
            if (actualContent[mediaType] is not { } actualMedia)
            {
                _differences.Add($"{at} content {mediaType}: missing (actual: {string.Join(", ", actualContent.Select(c => c.Key))})");
                continue;
            }

            Diff($"{at} content {mediaType} schema", Canonical(expectedMedia?["schema"]), Canonical(actualMedia["schema"]));
        }
    }

    private void CompareParameters(string at, JsonArray? expectedParameters, JsonArray? actualParameters)
    {
        foreach (var expectedParameter in expectedParameters ?? [])
        {
            var name = (string?)expectedParameter?["name"];
            var where = (string?)expectedParameter?["in"];
            var actualParameter = actualParameters?.FirstOrDefault(p => (string?)p?["name"] == name && (string?)p?["in"] == where);
            if (actualParameter is null)
            {
                _differences.Add($"{at} parameter {where} {name}: missing");
                continue;
            }

            Same($"{at} parameter {name} required", expectedParameter!["required"] ?? false, actualParameter["required"] ?? false);
            Same($"{at} parameter {name} deprecated", expectedParameter["deprecated"] ?? false, actualParameter["deprecated"] ?? false);
            Diff($"{at} parameter {name} schema", Canonical(expectedParameter["schema"]), Canonical(actualParameter["schema"]));
        }
    }

    private void CompareSecurity(string at, JsonArray? expectedSecurity, JsonArray? actualSecurity)
    {
        var expectedNames = SchemeNames(expectedSecurity);
        var actualNames = SchemeNames(actualSecurity);
        Same($"{at} security", new JsonArray([.. expectedNames.Select(n => JsonValue.Create(n))]), new JsonArray([.. actualNames.Select(n => JsonValue.Create(n))]));
        foreach (var name in expectedNames.Intersect(actualNames))
        {
            var expectedScheme = expected["components"]?["securitySchemes"]?[name];
            var actualScheme = actual["components"]?["securitySchemes"]?[name];
            Same($"components.securitySchemes.{name}.type", expectedScheme?["type"], actualScheme?["type"]);
            Same($"components.securitySchemes.{name}.scheme", expectedScheme?["scheme"], actualScheme?["scheme"]);
        }
    }

    private static List<string> SchemeNames(JsonArray? security) =>
        [.. (security ?? []).SelectMany(requirement => (requirement as JsonObject ?? []).Select(p => p.Key)).Order(StringComparer.Ordinal)];

    /// <summary>The schema reduced to what is compared; a <c>$ref</c> stays a reference and queues its component.</summary>
    private JsonObject Canonical(JsonNode? node)
    {
        if (node is not JsonObject schema)
        {
            return [];
        }

        if ((string?)schema["$ref"] is { } reference)
        {
            var name = reference[(reference.LastIndexOf('/') + 1)..];
            if (_seenComponents.Add(name))
            {
                _pendingComponents.Enqueue(name);
            }

            return new JsonObject { ["$ref"] = name };
        }

        var result = new JsonObject();
        var nullable = false;
        var alternatives = (schema["anyOf"] ?? schema["oneOf"]) as JsonArray;
        if (alternatives is not null)
        {
            var others = alternatives.Where(a => !IsNullSchema(a)).ToList();
            nullable = others.Count < alternatives.Count;
            if (others.Count == 1)
            {
                result = Canonical(others[0]);
            }
            else
            {
                result["anyOf"] = new JsonArray([.. others.Select(Canonical)]);
            }
        }

        var types = schema["type"] switch
        {
            JsonArray array => array.Select(t => (string)t!).ToList(),
            JsonValue value => [(string)value!],
            _ => [],
        };
        nullable |= types.Remove("null");
        if (types.Count > 0)
        {
            result["type"] = types.Count == 1 ? types[0] : new JsonArray([.. types.Order(StringComparer.Ordinal).Select(t => JsonValue.Create(t))]);
        }

        if ((string?)schema["format"] is { } format && !(types.Contains("integer") && format is "int32" or "int64"))
        {
            result["format"] = format;
        }

        Copy(schema, result, "enum");
        Copy(schema, result, "maxLength");
        if (schema["items"] is { } items)
        {
            result["items"] = Canonical(items);
        }

        if (schema["properties"] is JsonObject properties)
        {
            result["properties"] = new JsonObject(properties.OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Canonical(p.Value))));
        }

        if (schema["required"] is JsonArray required && required.Count > 0)
        {
            result["required"] = new JsonArray([.. required.Select(r => (string)r!).Order(StringComparer.Ordinal).Select(r => JsonValue.Create(r))]);
        }

        // Absent, true and {} all allow any further members.
        if (schema["additionalProperties"] is { } additional && additional.GetValueKind() != System.Text.Json.JsonValueKind.True
            && !(additional is JsonObject { Count: 0 }))
        {
            result["additionalProperties"] = additional.GetValueKind() == System.Text.Json.JsonValueKind.False ? false : Canonical(additional);
        }

        if (nullable)
        {
            result["nullable"] = true;
        }

        return result;
    }

    private static bool IsNullSchema(JsonNode? node) => node is JsonObject { Count: 1 } o && (string?)o["type"] == "null";

    private static void Copy(JsonObject from, JsonObject to, string key)
    {
        if (from[key] is { } value)
        {
            to[key] = value.DeepClone();
        }
    }

    /// <summary>Walk two canonical forms together and record every place where they differ.</summary>
    private void Diff(string at, JsonNode? expectedNode, JsonNode? actualNode)
    {
        if (expectedNode is JsonObject expectedObject && actualNode is JsonObject actualObject)
        {
            foreach (var key in expectedObject.Select(p => p.Key).Union(actualObject.Select(p => p.Key)).Order(StringComparer.Ordinal))
            {
                Diff($"{at}.{key}", expectedObject[key], actualObject[key]);
            }

            return;
        }

        Same(at, expectedNode, actualNode);
    }

    private void Same(string at, JsonNode? expectedNode, JsonNode? actualNode)
    {
        if (!JsonNode.DeepEquals(expectedNode, actualNode))
        {
            _differences.Add($"{at}: RallyHere has {Show(expectedNode)}, the gateway has {Show(actualNode)}");
        }
    }

    private static string Show(JsonNode? node) => node?.ToJsonString() ?? "nothing";
}
