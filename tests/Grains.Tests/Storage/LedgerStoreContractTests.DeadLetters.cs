using Entitlements.Notifications;
using Entitlements.Webhooks;

namespace Entitlements.Tests.Storage;

/// <summary>The store contract, continued: webhook dead letters and consumer positions.</summary>
public abstract partial class LedgerStoreContractTests
{
    private static readonly DateTimeOffset Failed = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public async Task WriteDeadLetter_New_ReadsBackWithItsIdAndCounts()
    {
        var player = Guid.NewGuid();

        var written = await Store.WriteDeadLetterAsync(Letter("a", 10, player) with { Kind = NotificationKind.RevocationCompleted });

        var expected = Letter("a", 10, player) with { Id = written.Id, Kind = NotificationKind.RevocationCompleted };
        Assert.True(written.Id > 0);
        Assert.Equal(expected, written);
        Assert.Equal(expected, await Store.ReadDeadLetterAsync("a", written.Id));
        Assert.Null(await Store.ReadDeadLetterAsync("b", written.Id));
        Assert.Equal((1L, 1L), await Store.CountDeadLettersAsync("a"));
        Assert.Equal((0L, 0L), await Store.CountDeadLettersAsync("b"));
    }

    [Fact]
    public async Task WriteDeadLetter_SamePositionAgain_UpdatesTheRowAndClearsTheReplay()
    {
        var first = await Store.WriteDeadLetterAsync(Letter("a", 10, Guid.NewGuid()));
        await Store.MarkDeadLetterReplayedAsync("a", first.Id, Failed.AddHours(1));

        var again = await Store.WriteDeadLetterAsync(first with { Attempts = 5, LastError = "HTTP 503", Failed = Failed.AddHours(2) });

        Assert.Equal(first with { Attempts = 5, LastError = "HTTP 503", Failed = Failed.AddHours(2), Replayed = null }, again);
        Assert.Equal((1L, 1L), await Store.CountDeadLettersAsync("a"));
    }

    [Fact]
    public async Task WriteDeadLetter_WithConsumer_MovesThatPositionToItsOwnButNeverBack()
    {
        await Store.WriteConsumerPositionAsync("webhook:a", 8);

        var written = await Store.WriteDeadLetterAsync(Letter("a", 10, Guid.NewGuid()), "webhook:a");
        var movedTo = await Store.FindConsumerPositionAsync("webhook:a");
        await Store.WriteConsumerPositionAsync("webhook:a", 14);
        await Store.WriteDeadLetterAsync(written with { Attempts = 4 }, "webhook:a");

        Assert.Equal(10, movedTo);
        Assert.Equal(14, await Store.FindConsumerPositionAsync("webhook:a"));
        Assert.Null(await Store.FindConsumerPositionAsync("webhook:b"));
        Assert.Equal((1L, 1L), await Store.CountDeadLettersAsync("a"));
    }

    [Fact]
    public async Task ReadDeadLetters_AfterIdWithLimit_PagesOneWebhookOldestFirst()
    {
        var a1 = await Store.WriteDeadLetterAsync(Letter("a", 10, Guid.NewGuid()));
        await Store.WriteDeadLetterAsync(Letter("b", 11, Guid.NewGuid()));
        var a2 = await Store.WriteDeadLetterAsync(Letter("a", 12, Guid.NewGuid()));
        var a3 = await Store.WriteDeadLetterAsync(Letter("a", 14, Guid.NewGuid()));

        Assert.Equal([a1, a2], await Store.ReadDeadLettersAsync("a", 0, 2));
        Assert.Equal([a3], await Store.ReadDeadLettersAsync("a", a2.Id, 2));
        Assert.Empty(await Store.ReadDeadLettersAsync("a", a3.Id, 2));
    }

    [Fact]
    public async Task MarkDeadLetterReplayed_KnownAndUnknown_MarksOnlyTheKnownOne()
    {
        var letter = await Store.WriteDeadLetterAsync(Letter("a", 10, Guid.NewGuid()));
        await Store.WriteDeadLetterAsync(Letter("a", 12, Guid.NewGuid()));

        var marked = await Store.MarkDeadLetterReplayedAsync("a", letter.Id, Failed.AddMinutes(1));
        var otherWebhook = await Store.MarkDeadLetterReplayedAsync("b", letter.Id, Failed.AddMinutes(1));

        Assert.Equal(letter with { Replayed = Failed.AddMinutes(1) }, marked);
        Assert.Null(otherWebhook);
        Assert.Equal((2L, 1L), await Store.CountDeadLettersAsync("a"));
    }

    [Fact]
    public async Task RecordDeadLetterReplayFailure_TwiceThenUnknown_CountsEachAttemptWithItsErrorAndTime()
    {
        var letter = await Store.WriteDeadLetterAsync(Letter("a", 10, Guid.NewGuid()));
        var other = await Store.WriteDeadLetterAsync(Letter("a", 12, Guid.NewGuid()));

        var once = await Store.RecordDeadLetterReplayFailureAsync("a", letter.Id, "HTTP 500", Failed.AddMinutes(1));
        var twice = await Store.RecordDeadLetterReplayFailureAsync("a", letter.Id, "connection refused", Failed.AddMinutes(2));
        var otherWebhook = await Store.RecordDeadLetterReplayFailureAsync("b", letter.Id, "HTTP 500", Failed.AddMinutes(3));

        Assert.Equal(letter with { Attempts = 9, LastError = "HTTP 500", Failed = Failed.AddMinutes(1) }, once);
        Assert.Equal(letter with { Attempts = 10, LastError = "connection refused", Failed = Failed.AddMinutes(2) }, twice);
        Assert.Null(otherWebhook);
        Assert.Equal([twice!, other], await Store.ReadDeadLettersAsync("a", 0, 10));
        Assert.Equal((2L, 2L), await Store.CountDeadLettersAsync("a"));
    }

    [Fact]
    public async Task RecordDeadLetterReplayFailure_ReplayedBefore_KeepsTheReplayMark()
    {
        var letter = await Store.WriteDeadLetterAsync(Letter("a", 10, Guid.NewGuid()));
        await Store.MarkDeadLetterReplayedAsync("a", letter.Id, Failed.AddMinutes(1));

        var failed = await Store.RecordDeadLetterReplayFailureAsync("a", letter.Id, "HTTP 503", Failed.AddMinutes(2));

        Assert.Equal(letter with { Attempts = 9, LastError = "HTTP 503", Failed = Failed.AddMinutes(2), Replayed = Failed.AddMinutes(1) }, failed);
        Assert.Equal(failed, await Store.ReadDeadLetterAsync("a", letter.Id));
        Assert.Equal((1L, 0L), await Store.CountDeadLettersAsync("a"));
    }

    [Fact]
    public async Task InitializeAsync_VersionSixDatabase_IndexesPendingDeadLettersAndCountsThemAsBefore()
    {
        var replayed = await Store.WriteDeadLetterAsync(Letter("a", 10, Guid.NewGuid()));
        await Store.WriteDeadLetterAsync(Letter("a", 12, Guid.NewGuid()));
        await Store.WriteDeadLetterAsync(Letter("a", 14, Guid.NewGuid()));
        await Store.WriteDeadLetterAsync(Letter("b", 11, Guid.NewGuid()));
        await Store.MarkDeadLetterReplayedAsync("a", replayed.Id, Failed.AddMinutes(1));
        await CloseAsync(Store);
        await ExecuteAsync(BackToVersionNine + BackToVersionEight + BackToVersionSeven + "DROP INDEX ix_webhook_dead_letters_pending; DELETE FROM schema_version WHERE version >= 7;");
        Assert.Equal("6/6", await ReadSchemaVersionsAsync());
        var upgraded = await OpenAsync();

        await upgraded.InitializeAsync();

        Assert.Equal("10/10", await ReadSchemaVersionsAsync());
        Assert.Contains("ix_webhook_dead_letters_pending", await ReadIndexesAsync("webhook_dead_letters"));
        Assert.Equal(
            [(3L, 2L), (1L, 1L), (0L, 0L)],
            [await upgraded.CountDeadLettersAsync("a"), await upgraded.CountDeadLettersAsync("b"), await upgraded.CountDeadLettersAsync("c")]);
        await upgraded.WriteDeadLetterAsync(replayed with { Attempts = 9 });
        Assert.Equal((3L, 3L), await upgraded.CountDeadLettersAsync("a"));
    }

    [Fact]
    public async Task FindConsumerPosition_NeverWrittenThenWrittenZero_TellsThemApart()
    {
        var before = await Store.FindConsumerPositionAsync("webhook:new");
        await Store.WriteConsumerPositionAsync("webhook:new", 0);

        Assert.Null(before);
        Assert.Equal(0, await Store.FindConsumerPositionAsync("webhook:new"));
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
