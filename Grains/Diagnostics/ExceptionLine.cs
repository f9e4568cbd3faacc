namespace Entitlements.Diagnostics;

/// <summary>
/// A failure on one line, for a warning that leaves the stack trace to the debug level: the exception's type and
/// message, and, when it wraps others (an Orleans exception around a <see cref="TimeoutException"/>, the store's
/// around the driver's, HttpClient's around a socket error), the innermost one's.
/// </summary>
public static class ExceptionLine
{
    public static string Of(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var innermost = exception;
        while (innermost.InnerException is { } inner)
        {
            innermost = inner;
        }

        return ReferenceEquals(innermost, exception) ? Line(exception) : $"{Line(exception)} (innermost: {Line(innermost)})";

        static string Line(Exception exception) => $"{exception.GetType().FullName}: {exception.Message.ReplaceLineEndings(" ")}";
    }
}
