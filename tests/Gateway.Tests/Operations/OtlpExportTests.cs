using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
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
        Assert.All(received, r => Assert.True(r.Body.Length > 0, $"{r.Path} had an empty body"));
    }

    /// <summary>
    /// A request gets a server span of its own, tagged with its route, and a caller's <c>traceparent</c> makes it
    /// that caller's child. The readiness probe's grain spans alone reach <c>/v1/traces</c> too, so only the
    /// request's own span, found by its trace id, tells that the gateway traces its requests.
    /// </summary>
    [Fact]
    public async Task Otlp_RequestWithTraceparent_ExportsAServerSpanWithTheRouteAsTheCallersChild()
    {
        using var collector = new Collector();
        using var data = new TempDirectory();
        using var gateway = await GatewayProcess.StartAsync(data.Path, settings: new Dictionary<string, string>
        {
            ["Telemetry:OtlpEndpoint"] = collector.Address,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        });
        var traceId = RandomNumberGenerator.GetBytes(16);
        var callerSpanId = RandomNumberGenerator.GetBytes(8);

        var response = await gateway.Client.SendAsync(
            HttpMethod.Get,
            $"/inventory/v1/player/{Guid.NewGuid()}/entitlements",
            configure: r => r.Headers.Add("traceparent", $"00-{Convert.ToHexStringLower(traceId)}-{Convert.ToHexStringLower(callerSpanId)}-01"));
        // A player nobody created: 404, answered by the route's handler, so the span still names the route.
        Assert.Equal(HttpStatusCode.NotFound, response.Status);

        // The grain calls the request makes are in the same trace, below the request's span: only that span is the caller's child.
        var span = await collector.WaitForSpanAsync(traceId, callerSpanId, TimeSpan.FromSeconds(30));
        Assert.Equal(SpanKindServer, span.Kind);
        // A group route with an empty pattern of its own ends in a slash (ASP.NET Core joins the two with one).
        Assert.Equal("/inventory/v1/player/{player_uuid}/entitlements/", Assert.Contains("http.route", span.Attributes));
        Assert.Equal("GET", Assert.Contains("http.request.method", span.Attributes));
        Assert.Equal("GET /inventory/v1/player/{player_uuid}/entitlements/", span.Name);
    }

    private const ulong SpanKindServer = 2;

    private sealed record Request(string Path, string Method, string? ContentType, byte[] Body);

    /// <summary>The fields of an exported span that the tests look at; string attributes only.</summary>
    private sealed record ExportedSpan(byte[] TraceId, byte[] ParentSpanId, string Name, ulong Kind, Dictionary<string, string> Attributes);

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
            List<Request?> firsts = [];
            await Poll.UntilAsync(
                () => (firsts = [.. paths.Select(p => _requests.FirstOrDefault(r => r.Path == p))]).All(r => r is not null),
                timeout,
                () => $"the collector got only [{string.Join(", ", _requests.Select(r => r.Path).Distinct())}]",
                TimeSpan.FromMilliseconds(100));
            return firsts!;
        }

        /// <summary>The first exported span of trace <paramref name="traceId"/> whose parent is <paramref name="parentSpanId"/>, once it has come.</summary>
        public async Task<ExportedSpan> WaitForSpanAsync(byte[] traceId, byte[] parentSpanId, TimeSpan timeout)
        {
            List<ExportedSpan> spans = [];
            ExportedSpan? found = null;
            await Poll.UntilAsync(
                () =>
                {
                    spans = [.. _requests.Where(r => r.Path == "/v1/traces").SelectMany(r => Protobuf.Spans(r.Body))];
                    found = spans.FirstOrDefault(s => s.TraceId.AsSpan().SequenceEqual(traceId) && s.ParentSpanId.AsSpan().SequenceEqual(parentSpanId));
                    return found is not null;
                },
                timeout,
                () => $"no span below {Convert.ToHexStringLower(parentSpanId)} among the {spans.Count} exported; those of trace {Convert.ToHexStringLower(traceId)}: [{string.Join(", ", spans.Where(s => s.TraceId.AsSpan().SequenceEqual(traceId)).Select(s => s.Name))}]",
                TimeSpan.FromMilliseconds(100));
            return found!;
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

                try
                {
                    using var body = new MemoryStream();
                    await context.Request.InputStream.CopyToAsync(body);
                    _requests.Enqueue(new Request(context.Request.Url!.AbsolutePath, context.Request.HttpMethod, context.Request.ContentType, body.ToArray()));
                    context.Response.StatusCode = 200;
                    context.Response.ContentType = "application/x-protobuf";
                    context.Response.Close();
                }
                catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
                {
                    // The exporter went away in the middle of a request (its gateway was stopped): not an export.
                    context.Response.Abort();
                }
            }
        }
    }

    /// <summary>
    /// Just enough of the protobuf wire format to read the spans of an OTLP <c>ExportTraceServiceRequest</c>
    /// (resource_spans 1, scope_spans 2, spans 2; a span's trace_id 1, parent_span_id 4, name 5, kind 6,
    /// attributes 9 as key 1 and value 2 whose string_value is 1), without a protobuf package.
    /// </summary>
    private static class Protobuf
    {
        public static IEnumerable<ExportedSpan> Spans(byte[] request) =>
            from resourceSpans in Messages(request, 1)
            from scopeSpans in Messages(resourceSpans, 2)
            from span in Messages(scopeSpans, 2)
            select ReadSpan(span);

        private static ExportedSpan ReadSpan(byte[] span)
        {
            byte[] traceId = [], parentSpanId = [];
            var name = "";
            ulong kind = 0;
            var attributes = new Dictionary<string, string>();
            foreach (var (field, varint, bytes) in Fields(span))
            {
                switch (field)
                {
                    case 1: traceId = bytes; break;
                    case 4: parentSpanId = bytes; break;
                    case 5: name = Encoding.UTF8.GetString(bytes); break;
                    case 6: kind = varint; break;
                    case 9:
                        var attributeKey = Messages(bytes, 1).Select(Encoding.UTF8.GetString).SingleOrDefault();
                        var value = Messages(bytes, 2).SelectMany(v => Messages(v, 1)).Select(Encoding.UTF8.GetString).SingleOrDefault();
                        if (attributeKey is not null && value is not null)
                        {
                            attributes[attributeKey] = value;
                        }

                        break;
                }
            }

            return new ExportedSpan(traceId, parentSpanId, name, kind, attributes);
        }

        private static IEnumerable<byte[]> Messages(byte[] message, int field) =>
            Fields(message).Where(f => f.Field == field).Select(f => f.Bytes);

        /// <summary>Each field in order: its number, its value if a varint, its bytes if length-delimited.</summary>
        private static List<(int Field, ulong Varint, byte[] Bytes)> Fields(byte[] message)
        {
            var fields = new List<(int, ulong, byte[])>();
            var position = 0;
            while (position < message.Length)
            {
                var tag = ReadVarint(message, ref position);
                var field = (int)(tag >> 3);
                switch (tag & 7)
                {
                    case 0:
                        fields.Add((field, ReadVarint(message, ref position), []));
                        break;
                    case 1:
                        position += 8;
                        break;
                    case 2:
                        var length = (int)ReadVarint(message, ref position);
                        fields.Add((field, 0, message[position..(position + length)]));
                        position += length;
                        break;
                    case 5:
                        position += 4;
                        break;
                    default:
                        throw new InvalidDataException($"wire type {tag & 7} at {position} is not one OTLP uses");
                }
            }

            return fields;
        }

        private static ulong ReadVarint(byte[] message, ref int position)
        {
            ulong value = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = message[position++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }
        }
    }
}
