using System.Reflection;
using System.Runtime.ExceptionServices;
using Entitlements.Contracts;
using Entitlements.Ledger;
using Entitlements.Storage;
using Entitlements.Webhooks;
using Npgsql;

namespace Entitlements.Tests.Outage;

/// <summary>
/// The silo's real store, with the next append failing on demand: before its commit (nothing written),
/// or after it (written, but the acknowledgement lost, as when the connection drops during the commit);
/// with a platform-user link whose acknowledgement is lost, on demand; with webhook dead-letter writes failing on demand (nothing written);
/// with one consumer's position writes failing on demand (nothing written, each refused position kept), and its reads; with every
/// position write asked for kept, refused or not; with the feed's reads of all players' notifying events failing on demand
/// (nothing read), for the callers a predicate picks; and with another writer's work
/// slipped in after a transaction read, on demand. Every other call goes
/// straight to the real store.
/// </summary>
public class FaultyLedgerStore : DispatchProxy
{
    public const string Message = "injected store failure";

    private AppendFault? _nextAppend;
    private Func<Task>? _afterTransactionRead;
    private int _deadLetterFailures;
    private int _linkAcknowledgementsLost;
    private string? _positionConsumer;
    private int _positionFailures;
    private readonly List<long> _refusedPositions = [];
    private readonly List<(string Consumer, long Position)> _positionWrites = [];
    private string? _unreadablePositionConsumer;
    private string? _unreadablePlayer;
    private Func<bool>? _failFeedReads;
    private int _refusedFeedReads;

    public ILedgerStore Inner { get; private set; } = null!;

    public static (ILedgerStore Store, FaultyLedgerStore Faults) Wrap(ILedgerStore inner)
    {
        var store = Create<ILedgerStore, FaultyLedgerStore>();
        var faults = (FaultyLedgerStore)(object)store;
        faults.Inner = inner;
        return (store, faults);
    }

    /// <summary>Make the next append fail.</summary>
    public void FailNextAppend(AppendFault fault) => Volatile.Write(ref _nextAppend, fault);

    /// <summary>
    /// Run <paramref name="action"/> once the next transaction read has its answer and before the caller gets
    /// it, e.g. another activation's append landing between a grain's read of a transaction and its decision.
    /// </summary>
    public void AfterNextTransactionRead(Func<Task> action) => Volatile.Write(ref _afterTransactionRead, action);

    /// <summary>Whether the append failure asked for is still to come.</summary>
    public bool AppendFaultPending => Volatile.Read(ref _nextAppend) is not null;

    /// <summary>Make the next <paramref name="count"/> dead-letter writes fail before they write anything.</summary>
    public void FailDeadLetterWrites(int count) => Volatile.Write(ref _deadLetterFailures, count);

    /// <summary>Make the next <paramref name="count"/> position writes of <paramref name="consumer"/> fail before they write anything.</summary>
    public void FailPositionWrites(string consumer, int count)
    {
        Volatile.Write(ref _positionConsumer, consumer);
        Volatile.Write(ref _positionFailures, count);
    }

    /// <summary>Make every read of <paramref name="consumer"/>'s position fail (nothing read) until this is called with null.</summary>
    public void FailPositionReads(string? consumer) => Volatile.Write(ref _unreadablePositionConsumer, consumer);

    /// <summary>Make every read of <paramref name="player"/>'s row fail, not transiently (nothing read), until this is called with null.</summary>
    public void FailPlayerReads(Guid? player) => Volatile.Write(ref _unreadablePlayer, player?.ToString());

    /// <summary>The positions whose writes were made to fail, in the order they were asked for.</summary>
    public IReadOnlyList<long> RefusedPositions
    {
        get
        {
            lock (_refusedPositions)
            {
                return [.. _refusedPositions];
            }
        }
    }

    /// <summary>Every position write of <paramref name="consumer"/> asked for (refused ones too), in order.</summary>
    public IReadOnlyList<long> PositionWrites(string consumer)
    {
        lock (_positionWrites)
        {
            return [.. _positionWrites.Where(w => w.Consumer == consumer).Select(w => w.Position)];
        }
    }

    /// <summary>
    /// Make every read of all players' notifying events (the notification feed's) fail while <paramref name="when"/>,
    /// asked at the read, is true (e.g. only the reads of one grain); none fail once this is called with null.
    /// </summary>
    public void FailFeedReads(Func<bool>? when) => Volatile.Write(ref _failFeedReads, when);

    /// <summary>How many feed reads were made to fail.</summary>
    public int RefusedFeedReads => Volatile.Read(ref _refusedFeedReads);

    /// <summary>Make the next platform-user link commit and then fail, as when its acknowledgement is lost.</summary>
    public void LoseNextLinkAcknowledgement() => Volatile.Write(ref _linkAcknowledgementsLost, 1);

    /// <summary>How many of the dead-letter write failures asked for are still to come.</summary>
    public int DeadLetterFailuresLeft => Math.Max(0, Volatile.Read(ref _deadLetterFailures));

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(ILedgerStore.WriteDeadLetterAsync) && Interlocked.Decrement(ref _deadLetterFailures) >= 0)
        {
            return Task.FromException<WebhookDeadLetter>(new NpgsqlException(Message));
        }

        if (targetMethod.Name == nameof(ILedgerStore.WriteConsumerPositionAsync))
        {
            lock (_positionWrites)
            {
                _positionWrites.Add(((string)args![0]!, (long)args[1]!));
            }
        }

        if (targetMethod.Name == nameof(ILedgerStore.WriteConsumerPositionAsync)
            && (string)args![0]! == Volatile.Read(ref _positionConsumer)
            && Interlocked.Decrement(ref _positionFailures) >= 0)
        {
            lock (_refusedPositions)
            {
                _refusedPositions.Add((long)args[1]!);
            }

            return Task.FromException(new NpgsqlException(Message));
        }

        if (targetMethod.Name == nameof(ILedgerStore.ReadNotifyingEventsAsync)
            && args![0] is null
            && Volatile.Read(ref _failFeedReads) is { } failFeedRead
            && failFeedRead())
        {
            Interlocked.Increment(ref _refusedFeedReads);
            return Task.FromException<IReadOnlyList<LedgerEvent>>(new NpgsqlException(Message));
        }

        if (targetMethod.Name == nameof(ILedgerStore.ReadPlayerAsync) && ((Guid)args![0]!).ToString() == Volatile.Read(ref _unreadablePlayer))
        {
            return Task.FromException<PlayerInfo?>(new NpgsqlException(Message));
        }

        if (targetMethod.Name == nameof(ILedgerStore.FindConsumerPositionAsync) && (string)args![0]! == Volatile.Read(ref _unreadablePositionConsumer))
        {
            return Task.FromException<long?>(new NpgsqlException(Message));
        }

        if (targetMethod.Name == nameof(ILedgerStore.LinkPlatformUserAsync) && Interlocked.Exchange(ref _linkAcknowledgementsLost, 0) == 1)
        {
            return LinkThenFailAsync(targetMethod, args);
        }

        if (targetMethod.Name == nameof(ILedgerStore.AppendAsync)
            && Volatile.Read(ref _nextAppend) is { } fault
            && (fault.When is null || fault.When((LedgerEvent)args![0]!))
            && Interlocked.CompareExchange(ref _nextAppend, null, fault) == fault)
        {
            return AppendAsync(fault, (LedgerEvent)args![0]!, (CancellationToken)args[1]!);
        }

        if (targetMethod.Name == nameof(ILedgerStore.ReadTransactionAsync) && Interlocked.Exchange(ref _afterTransactionRead, null) is { } action)
        {
            return ReadTransactionThenAsync(action, (Platform)args![0]!, (string)args[1]!, (CancellationToken)args[2]!);
        }

        try
        {
            return targetMethod.Invoke(Inner, args);
        }
        catch (TargetInvocationException exception) when (exception.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(exception.InnerException);
            throw;
        }
    }

    private async Task<IReadOnlyList<LedgerEvent>> ReadTransactionThenAsync(Func<Task> action, Platform platform, string transactionId, CancellationToken cancellationToken)
    {
        var transaction = await Inner.ReadTransactionAsync(platform, transactionId, cancellationToken);
        await action();
        return transaction;
    }

    private async Task<LinkPlatformUserResult> LinkThenFailAsync(MethodInfo link, object?[]? args)
    {
        await (Task<LinkPlatformUserResult>)link.Invoke(Inner, args)!;
        throw new NpgsqlException(Message, new IOException("connection reset"));
    }

    private async Task<(AppendOutcome Outcome, LedgerEvent? Appended)> AppendAsync(AppendFault fault, LedgerEvent ledgerEvent, CancellationToken cancellationToken)
    {
        if (fault.AfterCommit)
        {
            var (outcome, _) = await Inner.AppendAsync(ledgerEvent, cancellationToken);
            Assert.Equal(AppendOutcome.Appended, outcome);
        }

        // Npgsql's own exception, as the real store throws it: a dropped connection is an I/O failure inside.
        throw fault.Transient
            ? new NpgsqlException(Message, new IOException("connection reset"))
            : new NpgsqlException(Message);
    }
}

/// <summary>
/// How the next append fails: <paramref name="AfterCommit"/> (its acknowledgement lost) or before it; as a
/// connection failure (<paramref name="Transient"/>) or not; only the next one that <paramref name="When"/> picks, when given.
/// </summary>
public sealed record AppendFault(bool AfterCommit, bool Transient, Func<LedgerEvent, bool>? When = null);
