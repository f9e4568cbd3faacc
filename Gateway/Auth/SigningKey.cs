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
}
