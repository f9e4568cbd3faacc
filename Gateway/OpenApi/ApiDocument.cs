using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Entitlements.Gateway.OpenApi;

/// <summary>
/// The OpenAPI document as served, built once per process (at the first request; concurrent first requests
/// share that build) and kept in memory. The library's own route builds it anew for every request (every
/// transformer, reflection over every DTO), and the route is public. The document depends on no request (it
/// names no server: see <see cref="ApiDocsExtensions.AddApiDocs"/>) and the routes do not change while the
/// process runs, so one build answers every caller. Written as the library's route writes it: its JSON writer,
/// the options' OpenAPI version, UTF-8.
/// </summary>
public sealed partial class ApiDocument(IServiceProvider services, IOptionsMonitor<OpenApiOptions> options, ILogger<ApiDocument> logger)
{
    private readonly Lock _lock = new();
    private Task<byte[]>? _json;

    /// <summary>The document's JSON; a build that failed is tried again by the next request.</summary>
    public Task<byte[]> JsonAsync(CancellationToken cancellationToken)
    {
        Task<byte[]> build;
        lock (_lock)
        {
            if (_json is null || _json.IsFaulted || _json.IsCanceled)
            {
                // The build belongs to no request: a caller that hangs up does not cancel it for the others.
                _json = Task.Run(BuildAsync, CancellationToken.None);
            }

            build = _json;
        }

        return build.WaitAsync(cancellationToken);
    }

    private async Task<byte[]> BuildAsync()
    {
        var started = Stopwatch.GetTimestamp();
        var provider = services.GetRequiredKeyedService<IOpenApiDocumentProvider>(ApiDocsExtensions.DocumentName);
        var document = await provider.GetOpenApiDocumentAsync(CancellationToken.None);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        await document.SerializeAsync(new OpenApiJsonWriter(text), options.Get(ApiDocsExtensions.DocumentName).OpenApiVersion, CancellationToken.None);
        var json = Encoding.UTF8.GetBytes(text.ToString());
        var elapsedMs = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1);
        LogBuilt(logger, ApiDocsExtensions.DocumentName, json.Length, elapsedMs);
        return json;
    }
}
