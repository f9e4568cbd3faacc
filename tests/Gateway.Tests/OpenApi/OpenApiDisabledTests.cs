using System.Net;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.OpenApi;

public sealed class OpenApiDisabledFixture : GatewayFixture
{
    protected override void Configure(IDictionary<string, string?> settings) => settings["OpenApi:Enabled"] = "false";
}

/// <summary><c>OpenApi:Enabled=false</c>: neither the document nor the reference page is there.</summary>
public sealed class OpenApiDisabledTests(OpenApiDisabledFixture fixture) : IClassFixture<OpenApiDisabledFixture>
{
    [Theory]
    [InlineData("/openapi/v1.json")]
    [InlineData("/scalar/")]
    public async Task Docs_WhenDisabled_AreNotFound(string path)
    {
        using var response = await fixture.Client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
