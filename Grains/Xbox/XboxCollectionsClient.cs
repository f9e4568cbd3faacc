using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Entitlements.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Entitlements.Xbox;

/// <summary>
/// The Xbox Live collections service over HTTP, with the user's delegated XSTS credential. Both calls
/// are idempotent (a query reads; a consume carries a tracking id), so each attempt that times out, is
/// throttled (429) or fails on the server (5xx) is retried, a bounded number of times and never past
/// the caller's deadline: once the deadline has fired, no further attempt starts and no wait before one
/// goes on (the last failure is thrown), but an attempt already sent runs to its own timeout
/// (<c>Xbox:TimeoutMilliseconds</c>), so that a consume the service is answering is not abandoned.
/// </summary>
public sealed partial class XboxCollectionsClient(HttpClient http, IOptions<XboxOptions> options, ILogger<XboxCollectionsClient> logger)
{
    public const string QueryPath = "v8.0/collections/b2bLicensePreview";
    public const string ConsumePath = "v8.0/collections/consume";

    public bool IsConfigured => options.Value.CollectionsUrl is not null;

    /// <summary>One page of the user's collection; <paramref name="continuationToken"/> is null for the first.</summary>
    public async Task<XboxCollectionsPage> QueryAsync(string authorization, string? continuationToken, CancellationToken deadline = default)
    {
        var body = new JsonObject
        {
            ["beneficiaries"] = new JsonArray(),
            ["market"] = "neutral",
            ["expandSatisfyingItems"] = false,
            ["excludeDuplicates"] = true,
            ["maxPageSize"] = Math.Max(1, options.Value.PageSize),
            ["validityType"] = "Valid",
        };
        if (continuationToken is not null)
        {
            body["continuationToken"] = continuationToken;
        }

        using var document = (await SendAsync(QueryPath, authorization, body, readAnswer: true, deadline))!;
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            // Not a page at all: as a malformed answer, the service is taken as failing.
            throw new XboxServiceException(XboxConsumeOutcome.Inaccessible, null, $"The collections service answered a JSON {root.ValueKind}, not an object.");
        }

        try
        {
            return ReadPage(root);
        }
        catch (InvalidOperationException exception)
        {
            // A string of the page itself that cannot be decoded (its continuation token, or a property name met
            // while looking for one): the next page cannot be asked for, so the answer is malformed as a whole.
            throw new XboxServiceException(XboxConsumeOutcome.Inaccessible, null, "The collections service answered a string that is not valid UTF-8 or UTF-16.", exception);
        }
    }

    private XboxCollectionsPage ReadPage(JsonElement root)
    {
        var items = new List<XboxCollectionItem>();
        if (root.TryGetProperty("items", out var array) && array.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var element in array.EnumerateArray())
            {
                if (ReadItem(element, out var problem) is { } item)
                {
                    items.Add(item);
                }
                else
                {
                    // One odd item must not block the rest of the collection: it is left on Xbox, untouched.
                    LogMalformedItem(logger, index, problem!);
                }

                index++;
            }
        }

        var next = root.TryGetProperty("continuationToken", out var token) && token.ValueKind == JsonValueKind.String && token.GetString() is { Length: > 0 } text ? text : null;
        return new XboxCollectionsPage(items, next);
    }

    /// <summary>
    /// One item of a query's answer, read field by field; null (with the <paramref name="problem"/>) when it
    /// lacks what a consume or a grant needs: a string <c>id</c> (not empty, nor only white space), <c>productId</c> and <c>productKind</c>,
    /// and for a consumable an integer <c>quantity</c> of at most <see cref="int.MaxValue"/>. <c>status</c>, when present, must be a string. The
    /// strings that reach the ledger (<c>id</c>, <c>productId</c>, <c>transactionId</c>) must be ones it can store
    /// (<see cref="StoredText"/>): one with a NUL makes the item malformed, as does any string that cannot be read at all (an escaped lone surrogate such as <c>"\ud800"</c>,
    /// or bytes that are not UTF-8, which the parser accepts and reading throws on), in a value or a name.
    /// </summary>
    internal static XboxCollectionItem? ReadItem(JsonElement element, out string? problem)
    {
        problem = null;
        if (element.ValueKind != JsonValueKind.Object)
        {
            problem = $"a JSON {element.ValueKind}, not an object";
            return null;
        }

        try
        {
            return ReadObject(element, out problem);
        }
        catch (InvalidOperationException)
        {
            // Thrown by GetString, and by TryGetProperty when it meets such a property name on its way.
            problem = "a string that is not valid UTF-8 or UTF-16 (such as an escaped lone surrogate)";
            return null;
        }
    }

    private static XboxCollectionItem? ReadObject(JsonElement element, out string? problem)
    {
        problem = null;
        var id = Text(element, "id");
        var productId = Text(element, "productId");
        var productKind = Text(element, "productKind");
        var skuId = OptionalText(element, "skuId");
        var transactionId = OptionalText(element, "transactionId");
        string? status = null;
        var hasStatus = element.TryGetProperty("status", out var statusValue);
        if (hasStatus && statusValue.ValueKind == JsonValueKind.String)
        {
            status = statusValue.GetString()!;
        }

        // Checked first, so that no problem below names an id the log could not show either.
        // Only the strings that reach the ledger: the item id and the order (a durable's keys), and the product id
        // (looked up in the catalog). A NUL in the others (productKind, status, skuId) is only compared or kept.
        foreach (var (name, value) in new[] { ("id", id), ("productId", productId), ("transactionId", transactionId) })
        {
            if (value is not null && !StoredText.IsStorable(value))
            {
                problem = $"its {name} holds a NUL or a lone surrogate, which the ledger does not store";
                return null;
            }
        }

        if (id is null || productId is null || productKind is null)
        {
            problem = "no id, productId or productKind string";
            return null;
        }

        if (string.IsNullOrWhiteSpace(id))
        {
            // A durable without an order is keyed by its id: blank, every such item would share one ledger key.
            problem = "its id is only white space";
            return null;
        }

        if (hasStatus && status is null)
        {
            problem = $"item {id}: status is not a string";
            return null;
        }

        long quantity = 0;
        if (element.TryGetProperty("quantity", out var quantityValue) && Integer(quantityValue) is { } number)
        {
            quantity = number;
        }
        else if (productKind is "Consumable" or "UnmanagedConsumable")
        {
            problem = $"item {id}: a consumable without an integer quantity";
            return null;
        }

        if (quantity > int.MaxValue && productKind is "Consumable" or "UnmanagedConsumable")
        {
            // Xbox counts a balance in 32 bits; a larger one would become a grant whose quantity no RallyHere or
            // AccelByte client reads (see SubmitEntitlementEvent.MaxQuantity).
            problem = $"item {id}: a quantity of {quantity}, beyond the 32 bits Xbox counts a balance in";
            return null;
        }

        return new XboxCollectionItem
        {
            Id = id,
            ProductId = productId,
            ProductKind = productKind,
            SkuId = skuId,
            Quantity = quantity,
            Status = status ?? "Active",
            TransactionId = transactionId,
        };

        // A number, or a string holding one (as the web serializer defaults read them).
        static long? Integer(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt64(out var number) => number,
            JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) => number,
            _ => null,
        };

        static string? Text(JsonElement element, string name) => OptionalText(element, name) is { Length: > 0 } text ? text : null;

        static string? OptionalText(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    /// <summary>
    /// Consume a balance; <paramref name="removeQuantity"/> is null for an UnmanagedConsumable (all of it).
    /// A success status is the whole answer: the balance is gone. The body is not read, so that an answer
    /// this client does not expect (a null, a new shape) cannot fail a consume that happened, which would
    /// otherwise be sent again on every call and never granted.
    /// </summary>
    public async Task ConsumeAsync(
        string authorization, string productId, string trackingId, long? removeQuantity, CancellationToken deadline = default)
    {
        var body = new JsonObject
        {
            ["productId"] = productId,
            ["trackingId"] = trackingId,
            ["includeOrderIds"] = false,
        };
        if (removeQuantity is { } quantity)
        {
            body["removeQuantity"] = quantity;
        }

        await SendAsync(ConsumePath, authorization, body, readAnswer: false, deadline);
    }

    /// <summary>
    /// POST <paramref name="body"/>; on success the answer's JSON when <paramref name="readAnswer"/>, else null.
    /// The first attempt is always sent; <paramref name="deadline"/> only stops retrying.
    /// </summary>
    private async Task<JsonDocument?> SendAsync(string path, string authorization, JsonObject body, bool readAnswer, CancellationToken deadline)
    {
        var settings = options.Value;
        var baseUrl = settings.CollectionsUrl ?? throw new XboxServiceException(XboxConsumeOutcome.NotConfigured, null, "Xbox:CollectionsUrl is not configured.");
        var uri = new Uri(baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/"), path);
        var attempts = Math.Max(1, settings.MaxAttempts);
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            XboxServiceException failure;
            using (var timeout = new CancellationTokenSource(Math.Max(1, settings.TimeoutMilliseconds)))
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = JsonContent.Create(body) };
                    request.Headers.TryAddWithoutValidation("Authorization", authorization);
                    using var response = await http.SendAsync(request, timeout.Token);
                    if (response.IsSuccessStatusCode)
                    {
                        if (!readAnswer)
                        {
                            return null;
                        }

                        var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
                        return await JsonDocument.ParseAsync(stream, default, timeout.Token);
                    }

                    var status = (int)response.StatusCode;
                    retryAfter = response.Headers.RetryAfter?.Delta;
                    failure = status switch
                    {
                        (int)HttpStatusCode.TooManyRequests => new XboxServiceException(XboxConsumeOutcome.TooManyRequests, status, "The collections service is throttling."),
                        (int)HttpStatusCode.Unauthorized => new XboxServiceException(XboxConsumeOutcome.TokenRejected, status, "The collections service rejected the XSTS token."),
                        (int)HttpStatusCode.Forbidden => new XboxServiceException(XboxConsumeOutcome.AccessDenied, status, "The collections service refused access."),
                        _ => new XboxServiceException(XboxConsumeOutcome.Inaccessible, status, $"The collections service answered {status}."),
                    };
                }
                catch (OperationCanceledException exception)
                {
                    failure = new XboxServiceException(XboxConsumeOutcome.Inaccessible, null, "The collections service did not answer in time.", exception);
                }
                catch (HttpRequestException exception)
                {
                    failure = new XboxServiceException(XboxConsumeOutcome.Inaccessible, null, "The collections service could not be reached.", exception);
                }
                catch (JsonException exception)
                {
                    failure = new XboxServiceException(XboxConsumeOutcome.Inaccessible, null, "The collections service answered malformed JSON.", exception);
                }
            }

            var retryable = failure.Outcome is XboxConsumeOutcome.TooManyRequests or XboxConsumeOutcome.Inaccessible && !failure.IsPermanent;
            LogAttemptFailed(logger, path, attempt, failure.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "none", failure.Message);
            if (!retryable || attempt >= attempts || deadline.IsCancellationRequested)
            {
                throw failure;
            }

            var cap = TimeSpan.FromMilliseconds(Math.Max(0, settings.MaxRetryDelayMilliseconds));
            var backoff = retryAfter ?? TimeSpan.FromMilliseconds(100 * (1 << Math.Min(attempt, 6)));
            try
            {
                await Task.Delay(backoff < cap ? backoff : cap, deadline);
            }
            catch (OperationCanceledException)
            {
                // The deadline fired while waiting: no further attempt, the last failure is the answer.
                throw failure;
            }
        }
    }
}
