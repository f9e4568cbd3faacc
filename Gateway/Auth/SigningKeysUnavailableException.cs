namespace Entitlements.Gateway.Auth;

/// <summary>
/// The signing keys have never been loaded (the JWKS file or URL could not be read), so no token can be
/// judged yet. Answered 503 with <c>Retry-After</c> (<see cref="Hosting.Unavailability"/>), not the 403 of
/// an unknown <c>kid</c>, which a client would take for a bad credential.
/// </summary>
public sealed class SigningKeysUnavailableException : Exception
{
    public SigningKeysUnavailableException()
    {
    }

    public SigningKeysUnavailableException(string message)
        : base(message)
    {
    }

    public SigningKeysUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
