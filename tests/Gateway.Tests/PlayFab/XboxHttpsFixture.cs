using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.PlayFab;

/// <summary>
/// The Xbox gateway serving HTTPS only, on loopback, with a self-signed certificate made for the test
/// (a PFX file given to Kestrel's endpoint configuration).
/// </summary>
public sealed class XboxHttpsFixture : XboxGatewayFixture
{
    private const string Password = "test-only";
    private readonly TempDirectory _certificates = new();

    public string Thumbprint { get; private set; } = string.Empty;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _certificates.Dispose();
    }

    protected override void ConfigureXbox(IDictionary<string, string?> settings)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        Thumbprint = certificate.Thumbprint;
        var path = Path.Combine(_certificates.Path, "gateway.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, Password));
        settings["Kestrel:Endpoints:Https:Url"] = "https://127.0.0.1:0";
        settings["Kestrel:Endpoints:Https:Certificate:Path"] = path;
        settings["Kestrel:Endpoints:Https:Certificate:Password"] = Password;
    }
}
