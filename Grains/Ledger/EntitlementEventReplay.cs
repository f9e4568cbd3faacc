using System.Text.Json;
using Entitlements.Contracts;

namespace Entitlements.Ledger;

/// <summary>The idempotency rule of store events, in one place.</summary>
public static class EntitlementEventReplay
{
    /// <summary>
    /// When <paramref name="transaction"/> already holds an event with the command's action type: the
    /// original event, as a replay when the request is the same and as a conflict when it is not.
    /// Null when the command is new.
    /// </summary>
    public static EntitlementEventResult? Find(IReadOnlyList<LedgerEvent> transaction, SubmitEntitlementEvent command)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(command);
        if (transaction.FirstOrDefault(e => e.Entitlement!.ActionType == command.ActionType) is not { } existing)
        {
            return null;
        }

        var outcome = IsSameRequest(existing.RequestFingerprint, command) || IsSameAsRecordedText(existing, command)
            ? EntitlementEventOutcome.Replayed
            : EntitlementEventOutcome.Conflict;
        return new EntitlementEventResult(outcome, existing.Entitlement);
    }

    /// <summary>
    /// Whether <paramref name="recorded"/> is the fingerprint of the command. The gateway used to store
    /// <c>platform_data</c> with every non-ASCII and HTML-sensitive character escaped (<c>\u00E9</c>,
    /// <c>\u002B</c>); it now keeps the caller's characters. An event recorded before then has the
    /// fingerprint of the escaped text, so the same request is also checked in that form: its replay is
    /// still a replay, not a conflict.
    /// </summary>
    private static bool IsSameRequest(string? recorded, SubmitEntitlementEvent command) =>
        recorded == RequestFingerprint.Of(command)
        || (EscapedPlatformData(command.PlatformDataJson) is { } escaped
            && escaped != command.PlatformDataJson
            && recorded == RequestFingerprint.Of(command with { PlatformDataJson = escaped }));

    /// <summary>
    /// Whether the command is the request <paramref name="existing"/> recorded with its platform data in another
    /// form than the canonical one the command now carries. An Orleans client's platform data was once stored as
    /// the client sent it (keys in its order, its whitespace), with the fingerprint of that text; the grains now
    /// rewrite it canonically (<see cref="SubmitEntitlementEvent.ToStorable"/>) before comparing. So the recorded
    /// text is put back in place of the command's when both are the same JSON (the recorded text, made
    /// canonical, is the command's): the client's retry of its own event is then still a replay.
    /// </summary>
    private static bool IsSameAsRecordedText(LedgerEvent existing, SubmitEntitlementEvent command) =>
        existing.Entitlement!.PlatformDataJson is { } recordedText
        && command.PlatformDataJson is { } canonical
        && !string.Equals(recordedText, canonical, StringComparison.Ordinal)
        && string.Equals(Canonical(recordedText), canonical, StringComparison.Ordinal)
        && existing.RequestFingerprint == RequestFingerprint.Of(command with { PlatformDataJson = recordedText });

    private static string? Canonical(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 1000 });
            return CanonicalJson.Write(document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The platform data as the gateway once wrote it (keys already in order), or null when there is none to compare.</summary>
    private static string? EscapedPlatformData(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 1000 });
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream))
            {
                document.RootElement.WriteTo(writer);
            }

            return System.Text.Encoding.UTF8.GetString(stream.ToArray());
        }
        catch (JsonException)
        {
            // Not JSON (the grains refuse it now; an Orleans client's text once): never rewritten, so there is no other form.
            return null;
        }
    }
}
