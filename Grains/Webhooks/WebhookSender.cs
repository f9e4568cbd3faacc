using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Entitlements.Notifications;
using Microsoft.Extensions.Primitives;

namespace Entitlements.Webhooks;

/// <summary>
/// Sends one notification to one webhook once: <c>POST</c> of exactly
/// <see cref="NotificationJson.Serialize(EntitlementNotification)"/> with the <see cref="WebhookHeaders"/>,
/// the body and every other header signed with <see cref="WebhookSignature"/>; then classifies the answer.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory clients, TimeProvider time)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    public async Task<WebhookAttempt> SendAsync(WebhookEndpointOptions webhook, EntitlementNotification notification, int attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        ArgumentNullException.ThrowIfNull(notification);
        var body = NotificationJson.Serialize(notification);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(webhook.Url, UriKind.Absolute))
        {
            Content = new StringContent(body, Encoding.UTF8, Json),
        };
        KeyValuePair<string, StringValues>[] signed =
        [
            new(WebhookHeaders.EventId, notification.EventId),
            new(WebhookHeaders.Notification, WebhookHeaders.NotificationName(notification.Kind)),
            new(WebhookHeaders.Player, notification.PlayerUuid.ToString("D")),
            new(WebhookHeaders.Version, notification.Version.ToString(CultureInfo.InvariantCulture)),
            new(WebhookHeaders.Cursor, notification.Cursor),
            new(WebhookHeaders.Delivery, Guid.NewGuid().ToString("N")),
            new(WebhookHeaders.Attempt, attempt.ToString(CultureInfo.InvariantCulture)),
        ];
        request.Headers.Add(WebhookHeaders.Signature, WebhookSignature.Sign(webhook.Secret, time.GetUtcNow(), signed, body));
        foreach (var (name, value) in signed)
        {
            request.Headers.Add(name, value.ToString());
        }

        var client = clients.CreateClient(webhook.ClientName);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                return WebhookAttempt.Success(status);
            }

            var retryable = status is 408 or 429 or >= 500;
            var retryAfter = status is 429 or 503 ? RetryAfter(response.Headers.RetryAfter) : null;
            return new WebhookAttempt(false, retryable, status, string.Create(CultureInfo.InvariantCulture, $"HTTP {status}"), retryAfter);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new WebhookAttempt(false, true, null, $"timeout after {webhook.Timeout}", null);
        }
        catch (HttpRequestException exception)
        {
            var error = exception.HttpRequestError == HttpRequestError.Unknown ? "connection failed" : $"connection failed: {exception.HttpRequestError}";
            return new WebhookAttempt(false, true, null, error, null) { Failure = exception };
        }
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header)
    {
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        return header?.Date is { } date ? date - time.GetUtcNow() : null;
    }
}
