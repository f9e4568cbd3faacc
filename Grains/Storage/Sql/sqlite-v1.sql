-- Entitlement ledger schema, version 1 (SQLite).
-- The ledger is append-only: rows of ledger_events are never updated or deleted.

CREATE TABLE IF NOT EXISTS ledger_events (
    seq                     INTEGER PRIMARY KEY AUTOINCREMENT, -- global sequence, in commit order
    event_id                TEXT    NOT NULL UNIQUE,
    kind                    INTEGER NOT NULL,                  -- 0 entitlement event, 1 consumption
    player_uuid             TEXT    NULL,                      -- null: the event resolved to no player
    version                 INTEGER NULL,                      -- the player's ledger version
    created_us              INTEGER NOT NULL,                  -- unix microseconds, UTC
    last_modified_us        INTEGER NOT NULL,
    request_fingerprint     TEXT    NULL,
    operation_id            TEXT    NULL,
    -- the store's entitlement event
    action_type             TEXT    NULL,
    status                  TEXT    NULL,
    entitlement_type        TEXT    NULL,
    player_id               INTEGER NULL,
    platform                TEXT    NULL,
    platform_user_id        TEXT    NULL,
    sku                     TEXT    NULL,
    quantity                INTEGER NULL,
    platform_transaction_id TEXT    NULL,
    platform_data           TEXT    NULL,
    order_id                TEXT    NULL,
    loot_id                 INTEGER NULL,
    -- what the event changed
    item_id                 TEXT    NULL,
    item_name               TEXT    NULL,
    item_class              TEXT    NULL,
    item_clazz              TEXT    NULL,
    item_type               TEXT    NULL,
    item_sku                TEXT    NULL,
    units                   INTEGER NULL,
    shortfall               INTEGER NULL,
    revocation_policy       TEXT    NULL,
    change                  TEXT    NULL
);

-- Optimistic concurrency: one event per (player, version).
CREATE UNIQUE INDEX IF NOT EXISTS ux_ledger_events_player_version ON ledger_events (player_uuid, version);
-- Idempotency of store events, across all players.
CREATE UNIQUE INDEX IF NOT EXISTS ux_ledger_events_transaction ON ledger_events (platform, platform_transaction_id, action_type) WHERE kind = 0;
-- Idempotency of consumptions, per player.
CREATE UNIQUE INDEX IF NOT EXISTS ux_ledger_events_operation ON ledger_events (player_uuid, operation_id) WHERE operation_id IS NOT NULL;
-- A player's entitlement events in version order.
CREATE INDEX IF NOT EXISTS ix_ledger_events_player_kind ON ledger_events (player_uuid, kind, version);
-- Everybody's entitlement events in sequence order.
CREATE INDEX IF NOT EXISTS ix_ledger_events_kind_seq ON ledger_events (kind, seq);

CREATE TABLE IF NOT EXISTS ledger_snapshots (
    player_uuid TEXT    PRIMARY KEY,
    version     INTEGER NOT NULL,
    state       TEXT    NOT NULL, -- JSON
    written_us  INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS players (
    player_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    player_uuid TEXT    NOT NULL UNIQUE,
    created_us  INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS platform_users (
    platform         TEXT    NOT NULL,
    platform_user_id TEXT    NOT NULL,
    player_uuid      TEXT    NOT NULL REFERENCES players (player_uuid),
    display_name     TEXT    NULL,
    created_us       INTEGER NOT NULL,
    PRIMARY KEY (platform, platform_user_id)
);

CREATE TABLE IF NOT EXISTS catalog_skus (
    platform TEXT    NOT NULL,
    sku      TEXT    NOT NULL,
    revision INTEGER NOT NULL,
    document TEXT    NOT NULL, -- JSON
    PRIMARY KEY (platform, sku)
);

CREATE TABLE IF NOT EXISTS settings (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
