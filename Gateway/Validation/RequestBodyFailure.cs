namespace Entitlements.Gateway.Validation;

/// <summary>
/// A request body whose HTTP framing cannot be read is the client's fault. Kestrel says so with a
/// <see cref="BadHttpRequestException"/> for most such bodies (a chunk cut short, a chunk size that is not hex),
/// but a chunk size too large for 32 bits fails with a bare <see cref="IOException"/>. The code that reads a
/// body catches that around the read alone, and passes it on as the bad request it is, so that it is answered
/// like the others and never logged as the server's own failure.
/// </summary>
public static class RequestBodyFailure
{
    /// <summary>Whether <paramref name="exception"/>, thrown while the request body was being read, is such a failure not yet said to be a bad request.</summary>
    public static bool IsUnmarked(Exception exception) => exception is IOException and not BadHttpRequestException;

    /// <summary>The bad request that an <see cref="IOException"/> thrown while reading the request body stands for.</summary>
    public static BadHttpRequestException AsBadRequest(IOException exception) =>
        new("The request body could not be read.", StatusCodes.Status400BadRequest, exception);
}
