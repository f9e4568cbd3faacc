using System.Text.Json;

namespace Entitlements.XboxLiveSimulator;

/// <summary>The simulated collections: users by XUID, one lock for all of it.</summary>
public sealed class CollectionsState
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SimulatedUser> _users = new(StringComparer.Ordinal);
    private SimulatorFaults _faults = new();
    private readonly Dictionary<string, (int Now, int MostAtOnce)> _heldByUser = new(StringComparer.Ordinal);
    private int _consumesHeld;
    private readonly Dictionary<string, SimulatedArrivals> _arrivals = new(StringComparer.Ordinal);
    private TaskCompletionSource _arrived = NewSignal();
    private TaskCompletionSource? _queriesHeld;

    /// <summary>Consumes received and being held by <see cref="SimulatorFaults.ConsumeDelayMilliseconds"/> now, not yet answered.</summary>
    public int ConsumesHeld => Volatile.Read(ref _consumesHeld);

    /// <summary>The user's consumes held now, and the most of them ever held at once.</summary>
    public (int Now, int MostAtOnce) ConsumesHeldOf(string xuid)
    {
        lock (_lock)
        {
            return _heldByUser.GetValueOrDefault(xuid);
        }
    }

    /// <summary>Count a consume of the user as held until the returned scope is disposed.</summary>
    public IDisposable HoldConsume(string xuid)
    {
        lock (_lock)
        {
            var (now, most) = _heldByUser.GetValueOrDefault(xuid);
            _heldByUser[xuid] = (now + 1, Math.Max(most, now + 1));
        }

        Interlocked.Increment(ref _consumesHeld);
        return new Held(this, xuid);
    }

    public SimulatorFaults Faults
    {
        get
        {
            lock (_lock)
            {
                return _faults;
            }
        }

        set
        {
            TaskCompletionSource? release = null;
            lock (_lock)
            {
                _faults = value;
                if (value.HoldQueries)
                {
                    _queriesHeld ??= NewSignal();
                }
                else
                {
                    (release, _queriesHeld) = (_queriesHeld, null);
                }
            }

            release?.TrySetResult();
        }
    }

    /// <summary>A query of the user was admitted: counted, and held while <see cref="SimulatorFaults.HoldQueries"/> is on.</summary>
    public Task QueryArrivedAsync(string xuid, CancellationToken cancellationToken)
    {
        Task held;
        lock (_lock)
        {
            var arrivals = _arrivals.GetValueOrDefault(xuid) ?? new SimulatedArrivals();
            _arrivals[xuid] = arrivals with { Queries = arrivals.Queries + 1 };
            held = _queriesHeld?.Task ?? Task.CompletedTask;
        }

        Signal();
        return held.WaitAsync(cancellationToken);
    }

    /// <summary>A consume of the user was admitted: counted.</summary>
    public void ConsumeArrived(string xuid)
    {
        lock (_lock)
        {
            var arrivals = _arrivals.GetValueOrDefault(xuid) ?? new SimulatedArrivals();
            _arrivals[xuid] = arrivals with { Consumes = arrivals.Consumes + 1 };
        }

        Signal();
    }

    /// <summary>
    /// The user's requests admitted so far, once at least <paramref name="queries"/> queries and <paramref name="consumes"/>
    /// consumes have arrived, or when <paramref name="wait"/> is over (then short of them).
    /// </summary>
    public async Task<SimulatedArrivals> WaitForArrivalsAsync(string xuid, int queries, int consumes, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        while (true)
        {
            Task next;
            SimulatedArrivals arrivals;
            lock (_lock)
            {
                arrivals = _arrivals.GetValueOrDefault(xuid) ?? new SimulatedArrivals();
                next = _arrived.Task;
            }

            if ((arrivals.Queries >= queries && arrivals.Consumes >= consumes) || timeout.IsCancellationRequested)
            {
                return arrivals;
            }

            try
            {
                await next.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The wait is over: the counts as they are now.
            }
        }
    }

    /// <summary>Wake every arrivals wait to look again.</summary>
    private void Signal()
    {
        TaskCompletionSource arrived;
        lock (_lock)
        {
            (arrived, _arrived) = (_arrived, NewSignal());
        }

        arrived.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Whether this request is one of the <see cref="SimulatorFaults.FailNextRequests"/> to fail (counts it down).</summary>
    public bool TakeFailure()
    {
        lock (_lock)
        {
            if (_faults.FailNextRequests <= 0)
            {
                return false;
            }

            if (_faults.FailAfterRequests > 0)
            {
                _faults = _faults with { FailAfterRequests = _faults.FailAfterRequests - 1 };
                return false;
            }

            _faults = _faults with { FailNextRequests = _faults.FailNextRequests - 1 };
            return true;
        }
    }

    public void Seed(string path, JsonSerializerOptions json)
    {
        var users = JsonSerializer.Deserialize<List<SimulatedUser>>(File.ReadAllText(path), json) ?? [];
        foreach (var user in users)
        {
            Put(user);
        }
    }

    /// <summary>Create or replace a user; its consume history and its arrivals start empty.</summary>
    public SimulatedUser Put(SimulatedUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var stored = user with
        {
            UserHash = string.IsNullOrEmpty(user.UserHash) ? UserHashOf(user.Xuid) : user.UserHash,
            Gamertag = string.IsNullOrEmpty(user.Gamertag) ? "Player" + user.Xuid[^Math.Min(4, user.Xuid.Length)..] : user.Gamertag,
            Consumes = new Dictionary<string, SimulatedConsume>(StringComparer.Ordinal),
            ConsumeRequests = 0,
            ConsumeTrackingIds = [],
        };
        lock (_lock)
        {
            _users[user.Xuid] = stored;
            _arrivals.Remove(user.Xuid);
        }

        return stored;
    }

    public SimulatedUser? Get(string xuid)
    {
        lock (_lock)
        {
            return _users.TryGetValue(xuid, out var user)
                ? user with { Consumes = new Dictionary<string, SimulatedConsume>(user.Consumes, StringComparer.Ordinal) }
                : null;
        }
    }

    public SimulatedUser? AddItems(string xuid, IEnumerable<SimulatedItem> items)
    {
        lock (_lock)
        {
            if (!_users.TryGetValue(xuid, out var user))
            {
                return null;
            }

            _users[xuid] = user with { Items = [.. user.Items, .. items] };
            return _users[xuid];
        }
    }

    /// <summary>A page of the user's collection from position <paramref name="offset"/>; the next offset or null.</summary>
    public (IReadOnlyList<SimulatedItem> Items, int? Next) Query(string xuid, int offset, int pageSize)
    {
        lock (_lock)
        {
            var items = _users.TryGetValue(xuid, out var user) ? user.Items : [];
            var page = items.Skip(offset).Take(pageSize).ToList();
            return (page, offset + page.Count < items.Count ? offset + page.Count : null);
        }
    }

    /// <summary>
    /// Consume, idempotent per tracking id: a repeated tracking id answers the first result and deducts
    /// nothing. An UnmanagedConsumable takes no <paramref name="removeQuantity"/> and loses its whole balance;
    /// a new tracking id finding that balance at 0 is refused (<c>InsufficientQuantity</c>), as a Consumable's
    /// <paramref name="removeQuantity"/> over its balance is.
    /// </summary>
    public (SimulatedConsume? Result, string? ErrorCode, string? Message) Consume(string xuid, string productId, string trackingId, long? removeQuantity)
    {
        lock (_lock)
        {
            if (!_users.TryGetValue(xuid, out var user))
            {
                return (null, "NotFound", "No such user.");
            }

            user = Receive(xuid, user, trackingId);
            if (user.Consumes.TryGetValue(trackingId, out var done))
            {
                var repeated = done with { Requests = done.Requests + 1 };
                ((Dictionary<string, SimulatedConsume>)user.Consumes)[trackingId] = repeated;
                return (repeated, null, null);
            }

            // The first active consumable of the product that still has a balance (else the first at all).
            var candidates = user.Items.ToList();
            var index = candidates.FindIndex(i => IsConsumableOf(i, productId) && i.Quantity > 0);
            index = index >= 0 ? index : candidates.FindIndex(i => IsConsumableOf(i, productId));
            if (index < 0)
            {
                return (null, "NotFound", $"No consumable product {productId} in the collection.");
            }

            var item = user.Items[index];
            long removed;
            if (item.ProductKind == "UnmanagedConsumable")
            {
                if (removeQuantity is not null)
                {
                    return (null, "InvalidParameter", "removeQuantity must be omitted for an UnmanagedConsumable.");
                }

                // Nothing left to fulfil: refused as a Consumable's removeQuantity over its balance is. Taking
                // "all of nothing" with a success would tell the caller that the balance it queried was consumed.
                if (item.Quantity <= 0)
                {
                    return (null, "InsufficientQuantity", $"The balance is {item.Quantity}: nothing to consume.");
                }

                removed = item.Quantity;
            }
            else
            {
                if (removeQuantity is not ({ } quantity and > 0))
                {
                    return (null, "InvalidParameter", "removeQuantity must be a positive integer for a Consumable.");
                }

                if (quantity > item.Quantity)
                {
                    return (null, "InsufficientQuantity", $"The balance is {item.Quantity}, below {quantity}.");
                }

                removed = quantity;
            }

            var items = user.Items.ToList();
            items[index] = item with { Quantity = item.Quantity - removed, ModifiedDate = DateTimeOffset.UtcNow };
            var result = new SimulatedConsume(item.Id, productId, trackingId, removed, item.Quantity - removed, 1);
            var consumes = (Dictionary<string, SimulatedConsume>)user.Consumes;
            consumes[trackingId] = result;
            _users[xuid] = user with { Items = items };
            return (result, null, null);
        }
    }

    /// <summary>Count a consume request of the user that is refused without looking at the collection (<see cref="SimulatorFaults.RefuseConsumesWith"/>).</summary>
    public void ReceiveRefused(string xuid, string trackingId)
    {
        lock (_lock)
        {
            if (_users.TryGetValue(xuid, out var user))
            {
                Receive(xuid, user, trackingId);
            }
        }
    }

    /// <summary>The user with one more consume request received, stored; only under the lock.</summary>
    private SimulatedUser Receive(string xuid, SimulatedUser user, string trackingId)
    {
        user = user with { ConsumeRequests = user.ConsumeRequests + 1, ConsumeTrackingIds = [.. user.ConsumeTrackingIds, trackingId] };
        _users[xuid] = user;
        return user;
    }

    private static bool IsConsumableOf(SimulatedItem item, string productId) =>
        item.ProductId == productId && item.Status == "Active" && item.ProductKind is "Consumable" or "UnmanagedConsumable";

    /// <summary>A stable user hash for a XUID, when the seed gives none.</summary>
    public static string UserHashOf(string xuid) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(xuid)).AsSpan(0, 10)).ToLowerInvariant();

    private sealed class Held(CollectionsState state, string xuid) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                lock (state._lock)
                {
                    var (now, most) = state._heldByUser[xuid];
                    state._heldByUser[xuid] = (now - 1, most);
                }

                Interlocked.Decrement(ref state._consumesHeld);
            }
        }
    }
}
