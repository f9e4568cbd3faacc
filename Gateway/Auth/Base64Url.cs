namespace Entitlements.Gateway.Auth;

/// <summary>Base64url without padding (RFC 7515).</summary>
public static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> data) =>
        Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>
    /// Decodes <paramref name="text"/> only when it is the one base64url spelling of its bytes: the runtime's
    /// decoder also takes white space, <c>+</c> and <c>/</c>, and ignores the unused low bits of the last
    /// character, so that one signed token could be written many ways, each verifying as the original (and
    /// each its own entry of the validated-token cache, which a client could then fill and empty at will).
    /// </summary>
    public static bool TryDecode(string text, out byte[] data)
    {
        ArgumentNullException.ThrowIfNull(text);
        data = [];
        if (text.Length % 4 == 1 || text.Contains('=', StringComparison.Ordinal))
        {
            return false;
        }

        var padded = text.Replace('-', '+').Replace('_', '/');
        padded = padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '=');
        var buffer = new byte[padded.Length / 4 * 3];
        if (!Convert.TryFromBase64String(padded, buffer, out var written))
        {
            return false;
        }

        var decoded = buffer[..written];
        if (!string.Equals(Encode(decoded), text, StringComparison.Ordinal))
        {
            return false;
        }

        data = decoded;
        return true;
    }
}
