using System.Net;
using System.Text;

namespace Entitlements.Tests.Notifications;

/// <summary>A real SSE response read event by event (<c>HttpCompletionOption.ResponseHeadersRead</c>), with a deadline on every read loop.</summary>
internal sealed class PushEventStream : IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private PushEventStream(HttpClient client, HttpResponseMessage response, StreamReader reader)
    {
        _client = client;
        _response = response;
        _reader = reader;
    }

    public HttpResponseMessage Response => _response;

    /// <summary>
    /// Open the stream with <paramref name="token"/> in the <c>Authorization</c> header (or a raw <c>Cookie</c>
    /// header, and the page's <c>Origin</c>, as a browser's <c>EventSource</c> sends them).
    /// <paramref name="receiveBufferBytes"/>, when given, sizes the client's TCP receive
    /// buffer before it connects: a client that does not read then stops the server's sends after that much.
    /// </summary>
    public static async Task<PushEventStream> OpenAsync(
        Uri baseAddress, string path, string? token, string? lastEventId = null, int? receiveBufferBytes = null, string? cookie = null, string? origin = null)
    {
        var client = new HttpClient(PushClientHandler.Create(receiveBufferBytes)) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var timeout = new CancellationTokenSource(PushSocket.Deadline);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var body = await response.Content.ReadAsStringAsync();
            response.Dispose();
            client.Dispose();
            Assert.Fail($"GET {path} answered {(int)response.StatusCode} {body}");
        }

        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8);
        return new PushEventStream(client, response, reader);
    }

    /// <summary>The next event or comment block, within <see cref="PushSocket.Deadline"/>; null at the end of the response.</summary>
    public async Task<ServerSentEvent?> NextAsync()
    {
        using var deadline = new ReadDeadline("an event or a comment", PushSocket.Deadline);
        return await deadline.ReadAsync(ReadBlockAsync);
    }

    /// <summary>The next event that carries data, skipping heartbeat comments, within <see cref="PushSocket.Deadline"/>.</summary>
    public async Task<ServerSentEvent> NextEventAsync()
    {
        using var deadline = new ReadDeadline("an event", PushSocket.Deadline);
        return await NextEventAsync(deadline);
    }

    /// <summary>
    /// Events that carry data until one that <paramref name="last"/> accepts, all within
    /// <see cref="PushSocket.Deadline"/>; everything read on the way is returned too.
    /// </summary>
    public async Task<List<ServerSentEvent>> ReadUntilAsync(Func<ServerSentEvent, bool> last)
    {
        using var deadline = new ReadDeadline("the last event wanted", PushSocket.Deadline);
        var events = new List<ServerSentEvent>();
        while (true)
        {
            var next = await NextEventAsync(deadline);
            events.Add(next);
            if (last(next))
            {
                return events;
            }

            deadline.Arrived(Describe(next));
        }
    }

    /// <summary>
    /// Every event that carries data until the server aborts the connection, within
    /// <see cref="PushSocket.Deadline"/>: the response must break off (no <c>error</c> event, no clean end).
    /// </summary>
    public async Task<List<ServerSentEvent>> ReadUntilAbortedAsync()
    {
        using var deadline = new ReadDeadline("the response to be aborted", PushSocket.Deadline);
        var events = new List<ServerSentEvent>();
        while (true)
        {
            ServerSentEvent? next;
            try
            {
                next = await deadline.ReadAsync(ReadBlockAsync);
            }
            catch (Exception exception) when (exception is HttpIOException or IOException)
            {
                return events;
            }

            Assert.True(next is not null, "the response ended cleanly instead of being aborted");
            Assert.True(next.Event != "error", $"expected the connection to be aborted, got an error event: {next.Data}");
            if (next.Data is null)
            {
                deadline.Heartbeat();
            }
            else
            {
                events.Add(next);
                deadline.Arrived(Describe(next));
            }
        }
    }

    private static string Describe(ServerSentEvent next) => $"{next.Event} {next.Id} {next.Data}";

    private async Task<ServerSentEvent> NextEventAsync(ReadDeadline deadline)
    {
        while (true)
        {
            var next = await deadline.ReadAsync(ReadBlockAsync);
            Assert.True(next is not null, "the stream ended");
            if (next.Data is not null)
            {
                return next;
            }

            deadline.Heartbeat();
        }
    }

    private async Task<ServerSentEvent?> ReadBlockAsync(CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await _reader.ReadLineAsync(cancellationToken);
            if (line is null)
            {
                Assert.True(lines.Count == 0, $"the stream ended inside an event: {string.Join("|", lines)}");
                return null;
            }

            if (line.Length == 0)
            {
                if (lines.Count > 0)
                {
                    return ServerSentEvent.Parse(lines);
                }

                continue;
            }

            lines.Add(line);
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
