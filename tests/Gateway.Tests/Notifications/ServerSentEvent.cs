using System.Text.Json.Nodes;

namespace Entitlements.Tests.Notifications;

/// <summary>One block of an event stream: its fields as sent (null when absent) and its comment lines.</summary>
internal sealed record ServerSentEvent(string? Id, string? Event, string? Data, IReadOnlyList<string> Comments)
{
    public JsonObject Json => JsonNode.Parse(Data ?? throw new InvalidOperationException("no data"))!.AsObject();

    public static ServerSentEvent Parse(IReadOnlyList<string> lines)
    {
        string? id = null;
        string? name = null;
        string? data = null;
        var comments = new List<string>();
        foreach (var line in lines)
        {
            if (line.StartsWith(':'))
            {
                comments.Add(line);
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            Assert.True(colon > 0, $"not a field line: {line}");
            var field = line[..colon];
            var value = line[(colon + 1)..];
            value = value.StartsWith(' ') ? value[1..] : value;
            switch (field)
            {
                case "id":
                    id = value;
                    break;
                case "event":
                    name = value;
                    break;
                case "data":
                    Assert.True(data is null, "one data line per event");
                    data = value;
                    break;
                default:
                    Assert.Fail($"unexpected field {field}");
                    break;
            }
        }

        return new ServerSentEvent(id, name, data, comments);
    }
}
