using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Operations;

/// <summary>
/// With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or <c>Telemetry:OtlpEndpoint</c> set, the gateway pushes its metrics and its request traces to that
/// collector (here a loopback receiver speaking OTLP over HTTP, <c>http/protobuf</c>).
/// </summary>
public sealed class OtlpExportTests
{
    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT")]
    [InlineData("Telemetry:OtlpEndpoint")]
    public async Task Otlp_EndpointConfigured_MetricsAndTracesArriveAtTheCollector(string key)
    {
        using var collector = new Collector();
        using var data = new TempDirectory();
        using var gateway = await GatewayProcess.StartAsync(data.Path, settings: new Dictionary<string, string>
        {
            [key] = collector.Address,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        });

        var probe = await gateway.Client.SendAsync(HttpMethod.Get, "/health/live");
        Assert.Equal(HttpStatusCode.OK, probe.Status);

        var received = await collector.WaitForAsync(["/v1/metrics", "/v1/traces"], TimeSpan.FromSeconds(30));
        Assert.All(received, r => Assert.Equal(("POST", "application/x-protobuf"), (r.Method, r.ContentType)));
        Assert.All(received, r => Assert.True(r.Length > 0, $"{r.Path} had an empty body"));
    }

    private sealed record Request(string Path, string Method, string? ContentType, long Length);

    /// <summary>An OTLP/HTTP receiver on a free loopback port that answers 200 to everything and remembers what came.</summary>
    private sealed class Collector : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentQueue<Request> _requests = new();
        private readonly Task _loop;

        public Collector()
        {
            Address = $"http://127.0.0.1:{FreePorts.Next().ToString(CultureInfo.InvariantCulture)}";
            _listener.Prefixes.Add(Address + "/");
            _listener.Start();
            _loop = Task.Run(ServeAsync);
        }

        public string Address { get; }

        /// <summary>The first request to each of <paramref name="paths"/>, once every one has come.</summary>
        public async Task<List<Request>> WaitForAsync(string[] paths, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                var firsts = paths.Select(p => _requests.FirstOrDefault(r => r.Path == p)).ToList();
                if (firsts.All(r => r is not null))
                {
                    return firsts!;
                }

                Assert.True(DateTime.UtcNow < deadline, $"the collector got only [{string.Join(", ", _requests.Select(r => r.Path).Distinct())}]");
                await Task.Delay(100);
            }
        }

        public void Dispose()
        {
            _listener.Close();
            _ = _loop.Wait(TimeSpan.FromSeconds(5));
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                _requests.Enqueue(new Request(context.Request.Url!.AbsolutePath, context.Request.HttpMethod, context.Request.ContentType, body.Length));
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        }
    }
}
