using System.Net;
using Entitlements.Gateway.OpenApi;
using Entitlements.Tests.Infrastructure;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.OpenApi;

/// <summary>A gateway whose OpenAPI document counts its builds: one more document transformer, run by every build.</summary>
public sealed class OpenApiBuildCountFixture : GatewayFixture
{
    private int _builds;

    public int Builds => Volatile.Read(ref _builds);

    protected override void ConfigureServices(IServiceCollection services) =>
        services.Configure<OpenApiOptions>(ApiDocsExtensions.DocumentName, options => options.AddDocumentTransformer((_, _, _) =>
        {
            Interlocked.Increment(ref _builds);
            return Task.CompletedTask;
        }));
}

/// <summary>
/// <c>/openapi/v1.json</c> is public: the document is built once per process and served from memory, not built
/// again (every transformer, reflection over every DTO) for every request.
/// </summary>
public sealed class OpenApiDocumentBuildTests(OpenApiBuildCountFixture fixture) : IClassFixture<OpenApiBuildCountFixture>
{
    private const int Burst = 10;

    [Fact]
    public async Task Document_ConcurrentAndLaterRequests_IsBuiltOnceAndServedTheSame()
    {
        using var client = new HttpClient { BaseAddress = fixture.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

        var burst = await Task.WhenAll(Enumerable.Range(0, Burst).Select(_ => GetAsync(client, "/openapi/v1.json")));
        var later = await GetAsync(client, "/openapi/V1.json");

        Assert.All(burst, body => Assert.Equal(later, body));
        Assert.Equal(1, fixture.Builds);
    }

    [Fact]
    public async Task Document_OtherName_Returns404NamingIt()
    {
        using var client = new HttpClient { BaseAddress = fixture.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

        using var response = await client.GetAsync(new Uri("/openapi/V2.json", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("No OpenAPI document with the name 'v2' was found.", await response.Content.ReadAsStringAsync());
    }

    private static async Task<byte[]> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return await response.Content.ReadAsByteArrayAsync();
    }
}
