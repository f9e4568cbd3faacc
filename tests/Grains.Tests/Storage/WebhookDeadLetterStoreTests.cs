using Entitlements.Notifications;
using Entitlements.Storage;
using Entitlements.Webhooks;
using Microsoft.Extensions.Options;

namespace Entitlements.Tests.Storage;

/// <summary>The dead-letter and consumer-position methods of the SQLite store, on a fresh file.</summary>
public sealed class WebhookDeadLetterStoreTests : IAsyncLifetime, IDisposable
{
    private static readonly DateTimeOffset Failed = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private readonly TempDirectory _directory = new();
    private SqliteLedgerStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = new SqliteLedgerStore(Options.Create(new StorageOptions { DataDirectory = _directory.Path }));
        await _store.InitializeAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _store.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task WriteDeadLetter_New_ReadsBackWithItsIdAndCounts()
    {
        var player = Guid.NewGuid();

        var written = await _store.WriteDeadLetterAsync(Letter("a", 10, player) with { Kind = NotificationKind.RevocationCompleted });

        var expected = Letter("a", 10, player) with { Id = written.Id, Kind = NotificationKind.RevocationCompleted };
        Assert.True(written.Id > 0);
        Assert.Equal(expected, written);
        Assert.Equal(expected, await _store.ReadDeadLetterAsync("a", written.Id));
        Assert.Null(await _store.ReadDeadLetterAsync("b", written.Id));
        Assert.Equal((1L, 1L), await _store.CountDeadLettersAsync("a"));
        Assert.Equal((0L, 0L), await _store.CountDeadLettersAsync("b"));
    }

    [Fact]
    public async Task WriteDeadLetter_SamePositionAgain_UpdatesTheRowAndClearsTheReplay()
    {
        var first = await _store.WriteDeadLetterAsync(Letter("a", 10, Guid.NewGuid()));
        await _store.MarkDeadLetterReplayedAsync("a", first.Id, Failed.AddHours(1));

        var again = await _store.WriteDeadLetterAsync(first with { Attempts = 5, LastError = "HTTP 503", Failed = Failed.AddHours(2) });

        Assert.Equal(first with { Attempts = 5, LastError = "HTTP 503", Failed = Failed.AddHours(2), Replayed = null }, again);
        Assert.Equal((1L, 1L), await _store.CountDeadLettersAsync("a"));
    }

    [Fact]
    public async Task ReadDeadLetters_AfterIdWithLimit_PagesOneWebhookOldestFirst()
    {
        var a1 = await _store.WriteDeadLetterAsync(Letter("a", 10, Guid.NewGuid()));
        await _store.WriteDeadLetterAsync(Letter("b", 11, Guid.NewGuid()));
        var a2 = await _store.WriteDeadLetterAsync(Letter("a", 12, Guid.NewGuid()));
        var a3 = await _store.WriteDeadLetterAsync(Letter("a", 14, Guid.NewGuid()));

        Assert.Equal([a1, a2], await _store.ReadDeadLettersAsync("a", 0, 2));
        Assert.Equal([a3], await _store.ReadDeadLettersAsync("a", a2.Id, 2));
        Assert.Empty(await _store.ReadDeadLettersAsync("a", a3.Id, 2));
    }

    [Fact]
    public async Task MarkDeadLetterReplayed_KnownAndUnknown_MarksOnlyTheKnownOne()
    {
        var letter = await _store.WriteDeadLetterAsync(Letter("a", 10, Guid.NewGuid()));
        await _store.WriteDeadLetterAsync(Letter("a", 12, Guid.NewGuid()));

        var marked = await _store.MarkDeadLetterReplayedAsync("a", letter.Id, Failed.AddMinutes(1));
        var otherWebhook = await _store.MarkDeadLetterReplayedAsync("b", letter.Id, Failed.AddMinutes(1));

        Assert.Equal(letter with { Replayed = Failed.AddMinutes(1) }, marked);
        Assert.Null(otherWebhook);
        Assert.Equal((2L, 1L), await _store.CountDeadLettersAsync("a"));
    }

    [Fact]
    public async Task FindConsumerPosition_NeverWrittenThenWrittenZero_TellsThemApart()
    {
        var before = await _store.FindConsumerPositionAsync("webhook:new");
        await _store.WriteConsumerPositionAsync("webhook:new", 0);

        Assert.Null(before);
        Assert.Equal(0, await _store.FindConsumerPositionAsync("webhook:new"));
        Assert.Equal(0, await _store.ReadConsumerPositionAsync("webhook:new"));
    }

    private static WebhookDeadLetter Letter(string webhook, long position, Guid player) => new()
    {
        Id = 0,
        Webhook = webhook,
        Position = position,
        EventId = $"event-{position}",
        PlayerUuid = player,
        Kind = NotificationKind.EntitlementUpdated,
        Attempts = 8,
        LastError = "timeout after 00:00:10",
        Failed = Failed,
    };
}
