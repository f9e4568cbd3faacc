namespace Entitlements.Contracts;

/// <summary>
/// The ledger refused an event before appending it: what it gives would take an item's balance past what
/// 64 bits hold (9223372036854775807 units). An <see cref="ArgumentOutOfRangeException"/>, as an Orleans
/// client has always been told; its own type lets the callers that answer it (a 422 at the gateway, a
/// <c>not_implemented</c> Xbox grant) tell it from any other argument out of range, which is a bug.
/// </summary>
[GenerateSerializer, Alias("Entitlements.BalanceLimitException")]
public sealed class BalanceLimitException : ArgumentOutOfRangeException
{
    private const string LimitMessage =
        "The event would take the item's balance past what 64 bits hold (9223372036854775807 units); nothing was recorded.";

    public BalanceLimitException()
        : base(null, LimitMessage)
    {
    }

    public BalanceLimitException(string message)
        : base(null, message)
    {
    }

    public BalanceLimitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The value named <paramref name="paramName"/>, <paramref name="actualValue"/>, is what goes past the limit.</summary>
    public BalanceLimitException(string paramName, long actualValue)
        : base(paramName, actualValue, LimitMessage)
    {
    }
}
