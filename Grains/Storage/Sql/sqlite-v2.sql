-- Entitlement ledger schema, version 2 (SQLite): notifications.
-- The ledger is the outbox: the notifications an event produces are written in the same row, in the
-- same transaction, so a committed change always has its notifications. Consumers keep their own
-- position in the ledger's global sequence.

ALTER TABLE ledger_events ADD COLUMN entitlement_updated  TEXT NULL; -- JSON, AccelByte entitlementUpdated
ALTER TABLE ledger_events ADD COLUMN revocation_completed TEXT NULL; -- JSON, AccelByte revocationCompleted

-- The notification feed, everybody's and one player's, in sequence order.
CREATE INDEX IF NOT EXISTS ix_ledger_events_notifying ON ledger_events (seq) WHERE entitlement_updated IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_ledger_events_player_notifying ON ledger_events (player_uuid, seq) WHERE entitlement_updated IS NOT NULL;

-- How far each durable consumer (the stream relay, each webhook) has got in the feed.
CREATE TABLE IF NOT EXISTS notification_positions (
    consumer   TEXT    PRIMARY KEY,
    position   INTEGER NOT NULL,
    updated_us INTEGER NOT NULL
);

-- Webhook notifications that failed every attempt. The message itself stays in the ledger, at its
-- feed position; an operator lists these and replays them.
CREATE TABLE IF NOT EXISTS webhook_dead_letters (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook     TEXT    NOT NULL,
    position    INTEGER NOT NULL, -- the notification's feed position
    event_id    TEXT    NOT NULL,
    player_uuid TEXT    NOT NULL,
    kind        INTEGER NOT NULL, -- 0 entitlementUpdated, 1 revocationCompleted
    attempts    INTEGER NOT NULL,
    last_error  TEXT    NULL,
    failed_us   INTEGER NOT NULL,
    replayed_us INTEGER NULL,     -- set when an operator replayed it successfully
    UNIQUE (webhook, position)
);
