using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Entitlements.Contracts;
using Entitlements.Diagnostics;
using Entitlements.Ledger;
using Entitlements.Xbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Entitlements;

/// <summary>
/// Xbox consume, exactly once. Each consumable balance gets a tracking id that is written to the ledger
/// (<see cref="LedgerEventKind.XboxConsumeStarted"/>) before the collections consume call; the grant
/// that follows carries the tracking id as its transaction id, unique in the ledger. A call that dies
/// in between leaves a started row with no grant: the next call re-sends the consume with the same
/// tracking id (the service answers the same and deducts nothing more) and then grants. A consume the
/// service refuses for good is finished instead by a <see cref="LedgerEventKind.XboxConsumeRefused"/> row,
/// so that no later call sends it again.
/// <para>
/// A call has a time budget (<see cref="XboxOptions.ConsumeBudgetMilliseconds"/>): once it is spent, no
/// further Xbox call starts and the call answers what it granted so far
/// (<see cref="XboxConsumeOutcome.DeadlineReached"/>). The check comes before a consume's started row is
/// written, never between its consume and its grant: a consume that was sent is granted in the same call
/// when Xbox answers it, else its started row finishes it on a later call.
/// </para>
/// <para>
/// The call interleaves with the player's other calls (<see cref="IPlayerGrain.ConsumeXboxEntitlementsAsync"/>
/// is <c>AlwaysInterleave</c>): a slow Xbox holds up no grant, read or consume of the player. Its ledger
/// work (the started row, a durable's transaction id and each grant) runs in sections under the ledger
/// gate, never across an Xbox call, each loading the state first if another call dropped it meanwhile.
/// Two Xbox consumes of one player still run one after the other (<see cref="_xboxTurn"/>), so that
/// pending rows are finished first and no balance is started twice.
/// </para>
/// </summary>
public sealed partial class PlayerGrain
{
    private const string UnmanagedConsumable = "UnmanagedConsumable";
    private static readonly Meter XboxMeter = new("Entitlements.Xbox");
    private static readonly Counter<long> UnmappedXboxProducts = XboxMeter.CreateCounter<long>(
        "entitlements.xbox.unmapped_products", description: "Xbox collection items skipped because no XboxLive catalog entry maps their product id");

    /// <summary>One Xbox consume of this player at a time; taken before the ledger gate, never inside it.</summary>
    private readonly SemaphoreSlim _xboxTurn = new(1, 1);

    public async Task<XboxConsumeResult> ConsumeXboxEntitlementsAsync(ConsumeXboxEntitlements command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.ThrowIfNotStorable();
        if (!await InLedgerAsync(EnsurePlayerAsync))
        {
            return new XboxConsumeResult(XboxConsumeOutcome.UnknownPlayer, []);
        }

        var client = ServiceProvider.GetRequiredService<XboxCollectionsClient>();
        if (!client.IsConfigured)
        {
            return new XboxConsumeResult(XboxConsumeOutcome.NotConfigured, []);
        }

        // The budget starts with the call's turn. A call waits for it at most as long as a consume holding it
        // can spend on Xbox (its budget plus one attempt, held to half this call's 60 s at start), so that what
        // is left covers its own: one that waited longer (consumes piling up behind a slow Xbox) answers 503 at
        // once and does nothing, rather than consume later for a client that has been told it failed.
        var xbox = ServiceProvider.GetRequiredService<IOptions<XboxOptions>>().Value;
        var turnWait = TimeSpan.FromMilliseconds((long)xbox.ConsumeBudgetMilliseconds + xbox.TimeoutMilliseconds);
        if (!await _xboxTurn.WaitAsync(turnWait))
        {
            LogXboxTurnNotReached(logger, PlayerUuid, turnWait.TotalMilliseconds);
            throw new TimeoutException($"Player {PlayerUuid}: another Xbox consume of this player still ran after {turnWait.TotalMilliseconds} ms.");
        }

        try
        {
            return await ConsumeXboxInTurnAsync(client, command, xbox);
        }
        finally
        {
            _xboxTurn.Release();
        }
    }

    private async Task<XboxConsumeResult> ConsumeXboxInTurnAsync(XboxCollectionsClient client, ConsumeXboxEntitlements command, XboxOptions xbox)
    {
        var granted = new XboxGrants(command.CatalogVersion);
        var budget = TimeSpan.FromMilliseconds(xbox.ConsumeBudgetMilliseconds);
        using var spent = new CancellationTokenSource(budget, time);
        var deadline = spent.Token;

        // The consume being sent, when Xbox fails it for now it stays unsettled (the gauge of the oldest one); and
        // whether it was pending at the call's start, the call then held up by it (the counter).
        PendingXboxConsume? sending = null;
        var heldUp = false;
        try
        {
            // First finish what an earlier call started for this XUID and did not grant, also when the XUID
            // was linked to another player then: the consume is granted to the player it is linked to now.
            foreach (var pending in await store.ReadPendingXboxConsumesAsync(command.Xuid))
            {
                (sending, heldUp) = (pending, true);
                if (deadline.IsCancellationRequested)
                {
                    XboxConsumeNotSettled(pending, XboxConsumeOutcome.DeadlineReached);
                    return XboxDeadlineReached(budget, granted);
                }

                await CompleteXboxConsumeAsync(client, command, pending.Consume, granted, deadline);
            }

            (sending, heldUp) = (null, false);
            metrics.XboxConsumesSettled(PlayerUuid);

            var catalog = new Dictionary<string, CatalogSku?>(StringComparer.Ordinal);
            string? continuation = null;
            do
            {
                if (deadline.IsCancellationRequested)
                {
                    return XboxDeadlineReached(budget, granted);
                }

                var page = await client.QueryAsync(command.XboxAuthorization, continuation, deadline);
                foreach (var item in page.Items)
                {
                    if (!string.Equals(item.Status, "Active", StringComparison.OrdinalIgnoreCase) || (item.IsConsumable && item.Quantity <= 0))
                    {
                        continue;
                    }

                    if (!catalog.TryGetValue(item.ProductId, out var sku))
                    {
                        sku = await store.ReadCatalogSkuByProductIdAsync(Platform.XboxLive, item.ProductId);
                        catalog[item.ProductId] = sku;
                    }

                    if (sku is null)
                    {
                        // Not consumed: the balance stays on Xbox until the catalog maps the product.
                        LogUnmappedXboxProduct(logger, PlayerUuid, item.ProductId);
                        UnmappedXboxProducts.Add(1);
                        continue;
                    }

                    if (item.IsConsumable)
                    {
                        if (deadline.IsCancellationRequested)
                        {
                            // Before the started row: the balance stays on Xbox, untouched, for the next call.
                            return XboxDeadlineReached(budget, granted);
                        }

                        sending = await InXboxLedgerAsync(() => StartXboxConsumeAsync(command.Xuid, item, sku));
                        await CompleteXboxConsumeAsync(client, command, sending.Consume, granted, deadline);
                        sending = null;
                    }
                    else
                    {
                        // A ledger write only, no Xbox call: the page in hand is granted even past the deadline. The
                        // transaction id is read in the grant's section, so no other call grants the order in between.
                        await InXboxLedgerAsync(async () => await GrantFromXboxAsync(
                            command.Xuid, sku.Sku, await DurableTransactionIdAsync(item, sku.Sku), 1, XboxPlatformData(item.ProductId, item.Id), granted));
                    }
                }

                continuation = page.ContinuationToken;
            }
            while (continuation is not null);
        }
        catch (XboxServiceException exception)
        {
            LogXboxFailed(logger, PlayerUuid, exception.Outcome, exception.StatusCode);
            if (sending is not null)
            {
                XboxConsumeNotSettled(sending, heldUp ? exception.Outcome : null);
            }

            return new XboxConsumeResult(exception.Outcome, granted.Items);
        }
        catch (Exception exception) when (granted.Items.Count > 0)
        {
            // What was granted stays granted, and a repeated call answers only what it grants then: an
            // error now would hide these items from the client for ever, as with Xbox failures above.
            LogXboxInterrupted(logger, exception, PlayerUuid, granted.Items.Count);
            return new XboxConsumeResult(XboxConsumeOutcome.Interrupted, granted.Items);
        }

        return new XboxConsumeResult(granted.Outcome(XboxConsumeOutcome.Completed), granted.Items);
    }

    /// <summary>
    /// A consume is left pending, unsettled: the gauge reports its age while this activation lives or until a later
    /// call settles it; and when it was pending at the call's start (<paramref name="heldUpBy"/> given), the call was
    /// held up by it, which the counter and a warning say.
    /// </summary>
    private void XboxConsumeNotSettled(PendingXboxConsume consume, XboxConsumeOutcome? heldUpBy)
    {
        metrics.XboxConsumeUnsettled(PlayerUuid, consume.Started);
        if (heldUpBy is { } outcome)
        {
            var reason = GrainMetrics.HeldUpReasonTag(outcome);
            LogXboxConsumeHeldUp(logger, PlayerUuid, consume.Consume.TrackingId, consume.Started, reason);
            metrics.XboxConsumeHeldUp(reason);
        }
    }

    private XboxConsumeResult XboxDeadlineReached(TimeSpan budget, XboxGrants granted)
    {
        LogXboxDeadlineReached(logger, PlayerUuid, budget.TotalMilliseconds, granted.Items.Count);
        return new XboxConsumeResult(granted.Outcome(XboxConsumeOutcome.DeadlineReached), granted.Items);
    }

    /// <summary>Record the consume about to be sent, with a fresh tracking id, before sending it.</summary>
    private Task<PendingXboxConsume> StartXboxConsumeAsync(string xuid, XboxCollectionItem item, CatalogSku sku)
    {
        var started = new XboxConsumeStarted
        {
            TrackingId = Guid.NewGuid().ToString("D"),
            Xuid = xuid,
            XboxItemId = item.Id,
            ProductId = item.ProductId,
            ProductKind = item.ProductKind,
            Sku = sku.Sku,
            Quantity = item.Quantity,
        };
        return DecideAndAppendAsync(
            () => Task.FromResult<(PendingXboxConsume?, LedgerEvent?)>((null, XboxConsumeEvent(LedgerEventKind.XboxConsumeStarted, started))),
            appended => new PendingXboxConsume(started, appended.Created));
    }

    /// <summary>The next event of this player's ledger for an Xbox consume: started, or refused by Xbox.</summary>
    private LedgerEvent XboxConsumeEvent(LedgerEventKind kind, XboxConsumeStarted consume) => new()
    {
        EventId = NewEventId(),
        Kind = kind,
        PlayerUuid = PlayerUuid,
        Version = _state.Version + 1,
        Created = Now(),
        XboxConsume = consume,
    };

    /// <summary>
    /// Record that Xbox refused a started consume for good, in this player's ledger (whichever player's ledger
    /// the consume was started in): the row finishes the consume (the store drops it from the pending ones in
    /// the append's own statement) and changes nothing else. Recorded once: decided again after an append whose
    /// outcome was unknown, it finds the consume no longer pending and appends nothing.
    /// </summary>
    private Task<XboxConsumeStarted> RecordXboxConsumeRefusedAsync(XboxConsumeStarted started) => DecideAndAppendAsync(
        async () =>
        {
            var pending = await store.ReadPendingXboxConsumesAsync(started.Xuid);
            if (!pending.Any(p => p.Consume.TrackingId == started.TrackingId))
            {
                return (started, null);
            }

            return ((XboxConsumeStarted?)null, XboxConsumeEvent(LedgerEventKind.XboxConsumeRefused, started));
        },
        _ => started);

    /// <summary>
    /// Send (or re-send) a started consume with its tracking id, then grant what it removed. The
    /// <paramref name="deadline"/> only stops retries of the consume: once Xbox answered it, the grant
    /// follows whatever the time.
    /// </summary>
    private async Task CompleteXboxConsumeAsync(
        XboxCollectionsClient client, ConsumeXboxEntitlements command, XboxConsumeStarted started, XboxGrants granted, CancellationToken deadline)
    {
        try
        {
            var removeQuantity = started.ProductKind == UnmanagedConsumable ? (long?)null : started.Quantity;
            await client.ConsumeAsync(command.XboxAuthorization, started.ProductId, started.TrackingId, removeQuantity, deadline);
        }
        catch (XboxServiceException exception) when (exception.IsPermanent)
        {
            // The service refused this consume for good (the balance is gone): it deducted nothing (a re-sent
            // tracking id is refused the same way), so nothing is owed. The refusal is recorded, which finishes
            // the started row: sent again on every later call, such rows would pile up and spend each call's
            // budget. Units still on Xbox are found by the query and consumed with a new tracking id. Should the
            // record fail (or the process die first), the row stays pending: the next call sends it, Xbox
            // refuses it again, and it is recorded then.
            LogXboxConsumeRefused(logger, PlayerUuid, started.TrackingId, exception.StatusCode);
            await InXboxLedgerAsync(() => RecordXboxConsumeRefusedAsync(started));
            return;
        }

        switch (ServiceProvider.GetRequiredService<IOptions<XboxOptions>>().Value.TestFaultAfterConsume)
        {
            case XboxTestFault.KillProcess:
                LogTestFault(logger, PlayerUuid, started.TrackingId);
                using (var self = Process.GetCurrentProcess())
                {
                    self.Kill();
                }

                break;
            case XboxTestFault.Throw:
                LogTestFault(logger, PlayerUuid, started.TrackingId);
                throw new InvalidOperationException("Test fault: failed after the Xbox consume call.");
        }

        // The queried balance is what the consume took: a Consumable's removeQuantity is exactly that, and an
        // UnmanagedConsumable (consumed whole) cannot be bought again until fulfilled, while Xbox refuses one with
        // nothing left. A pending row is only ever re-sent with its own tracking id, never a new one.
        await InXboxLedgerAsync(() => GrantFromXboxAsync(
            started.Xuid, started.Sku, started.TrackingId, started.Quantity, XboxPlatformData(started.ProductId, started.XboxItemId), granted));
    }

    /// <summary>
    /// A ledger section of the Xbox consume (see <see cref="InLedgerAsync"/>). Another call may have dropped the
    /// state since the last section (an append whose outcome is unknown forgets it): it is loaded again first.
    /// </summary>
    private Task<T> InXboxLedgerAsync<T>(Func<Task<T>> section) => InLedgerAsync(async () =>
    {
        if (!await EnsurePlayerAsync())
        {
            throw new InvalidOperationException($"Player {PlayerUuid} is no longer in the ledger.");
        }

        return await section();
    });

    private async Task InXboxLedgerAsync(Func<Task> section) => await InXboxLedgerAsync(async () =>
    {
        await section();
        return true;
    });

    /// <summary>
    /// Grant once per transaction id: an existing grant of the transaction means nothing new, unless this
    /// call appended it (its acknowledgement lost, the grant decided again after a dropped connection).
    /// </summary>
    private async Task GrantFromXboxAsync(string xuid, string sku, string transactionId, long quantity, string platformData, XboxGrants granted)
    {
        var command = new SubmitEntitlementEvent
        {
            ActionType = EntitlementActionType.Grant,
            Platform = Platform.XboxLive,
            PlatformUserId = xuid,
            Sku = sku,
            Quantity = quantity,
            PlatformTransactionId = transactionId,
            PlatformDataJson = platformData,
        };
        var decided = new HashSet<string>(StringComparer.Ordinal);
        var outcome = await DecideAndAppendAsync(
            async () =>
            {
                var transaction = await store.ReadTransactionAsync(Platform.XboxLive, transactionId);
                if (LedgerTransaction.GrantOf(transaction) is { } grant)
                {
                    // Granted by this call all the same when it is the event an earlier attempt of this call appended.
                    return (decided.Contains(grant.EventId) ? new XboxGrantOutcome(grant) : XboxGrantOutcome.AlreadyGranted, null);
                }

                var catalog = await GrainFactory.GetGrain<ICatalogSkuGrain>(ICatalogSkuGrain.Key(Platform.XboxLive, sku)).GetAsync();
                LedgerEvent decision;
                try
                {
                    decision = EntitlementDecider.DecideEntitlementEvent(_state, _player!, command, catalog, transaction, NewEventId(), Now());
                }
                catch (BalanceLimitException)
                {
                    // Refused: it would take the balance past 64 bits. Xbox has consumed the units already, so
                    // leaving the grant out would leave its started row pending, re-sent and refused on every later
                    // call: it is recorded as not applied (not_implemented), which finishes the row for good.
                    decision = EntitlementDecider.DecideEntitlementEvent(
                        _state, _player!, command with { Status = EntitlementEventStatus.NotImplemented }, catalog, transaction, NewEventId(), Now());
                }

                // Appended only onto the transaction it was decided with (see LedgerEvent.TransactionEventsRead).
                decided.Add(decision.EventId);
                return (null, decision with { TransactionEventsRead = transaction.Count });
            },
            appended => new XboxGrantOutcome(appended));
        if (outcome.Appended is { Effect: { Units: > 0 } effect } appended && _state.Items.TryGetValue(effect.ItemId, out var holding))
        {
            granted.Add(effect, holding, appended.Created);
        }
        else if (outcome.Appended is { Effect: null, Entitlement.Status: EntitlementEventStatus.NotImplemented })
        {
            LogXboxGrantRefused(logger, PlayerUuid, transactionId, sku, quantity);
            granted.Refuse();
        }
    }

    /// <summary>
    /// The transaction id a durable's grant is keyed by: its Xbox transaction (the order), so that a store's
    /// refund of the order finds the grant, else its item id. One order can hold several items and the key is
    /// unique in the ledger, so an item whose order was granted for another item is keyed by order and item id.
    /// A blank order (empty, or only white space) is none: keyed by it, the grant would have a transaction id
    /// no route takes, and every item with a blank order anywhere would share it.
    /// </summary>
    private async Task<string> DurableTransactionIdAsync(XboxCollectionItem item, string sku)
    {
        if (string.IsNullOrWhiteSpace(item.TransactionId))
        {
            return item.TransactionId is { } blank && await BlankOrderGrantKeyAsync(item, blank) is { } earlier ? earlier : item.Id;
        }

        var order = item.TransactionId;
        var transaction = await store.ReadTransactionAsync(Platform.XboxLive, order);
        return FirstGrant(transaction) is { } grant && !IsGrantOf(grant, item, sku)
            ? $"{order}:{item.Id}"
            : order;
    }

    /// <summary>
    /// Where an earlier version granted an item with a blank order, if it did: it keyed the grant by the blank
    /// order as by any other (the order itself, or order and item id when the order's grant was another item's).
    /// That key is kept for the item, so that it is not granted a second time under its item id. Only a grant
    /// naming this Xbox item counts: the blank id is one for the whole ledger, and a grant recorded under it
    /// another way (RallyHere's route takes <c>" "</c>), for any player, says nothing of this item.
    /// </summary>
    private async Task<string?> BlankOrderGrantKeyAsync(XboxCollectionItem item, string order)
    {
        foreach (var key in (string[])[order, $"{order}:{item.Id}"])
        {
            if (FirstGrant(await store.ReadTransactionAsync(Platform.XboxLive, key)) is { } grant && XboxItemIdOf(grant.PlatformDataJson) == item.Id)
            {
                return key;
            }
        }

        return null;
    }

    private static EntitlementEventRecord? FirstGrant(IReadOnlyList<LedgerEvent> transaction) =>
        LedgerTransaction.GrantOf(transaction)?.Entitlement;

    /// <summary>
    /// Whether the order's grant is this item's: it names the Xbox item in its platform data, or, granted by
    /// another way than a consume (no Xbox item named), it is of the item's SKU.
    /// </summary>
    private static bool IsGrantOf(EntitlementEventRecord grant, XboxCollectionItem item, string sku) =>
        XboxItemIdOf(grant.PlatformDataJson) is { } xboxItemId ? xboxItemId == item.Id : grant.Sku == sku;

    private static string? XboxItemIdOf(string? platformData)
    {
        if (platformData is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(platformData);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("xboxItemId", out var id) && id.ValueKind == JsonValueKind.String
                ? id.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// A grant's platform data, in the form the gateway stores an event's (<see cref="CanonicalJson"/>), so that the
    /// stored text is what the gateway would store for the same object. Rows written before were escaped by the
    /// serializer's default encoder (<c>\u002B</c> for <c>+</c>, every non-ASCII character as <c>\uXXXX</c>); they
    /// are read as JSON (<see cref="XboxItemIdOf"/>), so either form names the same item.
    /// </summary>
    private static string XboxPlatformData(string productId, string xboxItemId) =>
        CanonicalJson.Write(JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["productId"] = productId, ["xboxItemId"] = xboxItemId }));

    private sealed record XboxGrantOutcome(LedgerEvent? Appended)
    {
        public static readonly XboxGrantOutcome AlreadyGranted = new((LedgerEvent?)null);
    }

    /// <summary>The items one call granted, one per item id (a consumable's increments add up).</summary>
    private sealed class XboxGrants(string? catalogVersion)
    {
        private readonly List<XboxGrantedItem> _items = [];

        public IReadOnlyList<XboxGrantedItem> Items => [.. _items];

        /// <summary>The grants this call recorded as not applied: they would have taken a balance past 64 bits.</summary>
        public int Refused { get; private set; }

        /// <summary>
        /// How a call that ran to its end (or to its budget) answers: a call that granted nothing and refused a
        /// grant says so, as an error; one that granted something answers its items, as every other call does.
        /// </summary>
        public XboxConsumeOutcome Outcome(XboxConsumeOutcome ended) =>
            _items.Count == 0 && Refused > 0 ? XboxConsumeOutcome.BalanceLimitReached : ended;

        public void Refuse() => Refused++;

        public void Add(LedgerEffect effect, ItemHolding holding, DateTimeOffset at)
        {
            var consumable = holding.Type == EntitlementType.Consumable;
            var index = _items.FindIndex(i => i.ItemId == effect.ItemId);
            var previous = index >= 0 ? _items[index].UsesIncrementedBy ?? 0 : 0;
            var item = new XboxGrantedItem
            {
                ItemId = effect.ItemId,
                ItemInstanceId = holding.EntitlementId,
                ItemClass = effect.ItemClass,
                DisplayName = effect.ItemName,
                CatalogVersion = catalogVersion,
                PurchaseDate = at,
                RemainingUses = consumable ? holding.Balance : null,
                UsesIncrementedBy = consumable ? previous + effect.Units : null,
            };
            if (index >= 0)
            {
                _items[index] = item;
            }
            else
            {
                _items.Add(item);
            }
        }
    }
}
