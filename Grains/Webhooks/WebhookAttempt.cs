namespace Entitlements.Webhooks;

/// <summary>
/// What one POST got. <see cref="Delivered"/> for 2xx; otherwise <see cref="Retryable"/> for 408, 429,
/// 5xx, timeouts and connection errors, and a permanent failure for the rest. <see cref="Error"/> says
/// what went wrong without any body or secret; <see cref="Failure"/> is the exception of a connection error,
/// for the logs.
/// </summary>
public sealed record WebhookAttempt(bool Delivered, bool Retryable, int? StatusCode, string? Error, TimeSpan? RetryAfter)
{
    public Exception? Failure { get; init; }

    public static WebhookAttempt Success(int statusCode) => new(true, false, statusCode, null, null);
}
