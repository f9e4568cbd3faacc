using Entitlements.Contracts;

namespace Entitlements.Xbox;

/// <summary>The collections service could not do what was asked; <see cref="Outcome"/> says how it failed.</summary>
public sealed class XboxServiceException : Exception
{
    public XboxServiceException()
    {
    }

    public XboxServiceException(string message)
        : base(message)
    {
    }

    public XboxServiceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public XboxServiceException(XboxConsumeOutcome outcome, int? statusCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Outcome = outcome;
        StatusCode = statusCode;
    }

    public XboxConsumeOutcome Outcome { get; } = XboxConsumeOutcome.Inaccessible;

    /// <summary>The HTTP status of the last answer; null when there was none (timeout, unreachable).</summary>
    public int? StatusCode { get; }

    /// <summary>A client error other than 401/403/429: the request itself was refused, retrying will not help.</summary>
    public bool IsPermanent => StatusCode is >= 400 and < 500 and not (401 or 403 or 408 or 429);
}
