using System.Security.Cryptography;

namespace Entitlements.Gateway.Auth;

/// <summary>A public key from a JWKS document: RSA for RS256, P-256 for ES256.</summary>
public sealed record SigningKey(string KeyId, RSA? Rsa, ECDsa? Ec)
{
    public bool Verify(string algorithm, ReadOnlySpan<byte> signedData, ReadOnlySpan<byte> signature) => algorithm switch
    {
        "RS256" when Rsa is not null => Rsa.VerifyData(signedData, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        "ES256" when Ec is not null => signature.Length == 64 && Ec.VerifyData(signedData, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
        _ => false,
    };

    /// <summary>
    /// Whether <paramref name="other"/> verifies exactly what this key verifies: the same kid, the same
    /// type (hence the same algorithm) and the same public key.
    /// </summary>
    public bool HasSameKeyAs(SigningKey other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (KeyId != other.KeyId)
        {
            return false;
        }

        if (Rsa is not null && other.Rsa is not null && Ec is null && other.Ec is null)
        {
            var mine = Rsa.ExportParameters(includePrivateParameters: false);
            var theirs = other.Rsa.ExportParameters(includePrivateParameters: false);
            return Same(mine.Modulus, theirs.Modulus) && Same(mine.Exponent, theirs.Exponent);
        }

        if (Ec is not null && other.Ec is not null && Rsa is null && other.Rsa is null)
        {
            var mine = Ec.ExportParameters(includePrivateParameters: false);
            var theirs = other.Ec.ExportParameters(includePrivateParameters: false);
            return mine.Curve.Oid.Value == theirs.Curve.Oid.Value && Same(mine.Q.X, theirs.Q.X) && Same(mine.Q.Y, theirs.Q.Y);
        }

        return false;
    }

    private static bool Same(byte[]? one, byte[]? other) => one is not null && other is not null && one.AsSpan().SequenceEqual(other);
}
