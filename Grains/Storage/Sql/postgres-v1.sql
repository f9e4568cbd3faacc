-- Entitlement ledger schema, version 1 (PostgreSQL). The same tables, columns and keys as
-- sqlite-v1.sql; times are unix microseconds (UTC) in bigint columns on both engines.
-- The ledger is append-only: rows of ledger_events are never updated or deleted.

CREATE TABLE IF NOT EXISTS ledger_events (
    -- Global sequence. Appends take the ledger's advisory lock before the insert and hold it to the
    -- commit, so values are assigned and become visible in commit order (see PostgresLedgerStore).
    seq                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id                text     NOT NULL UNIQUE,
    kind                    smallint NOT NULL,                 -- 0 entitlement event, 1 consumption
    player_uuid             uuid     NULL,                     -- null: the event resolved to no player
    version                 bigint   NULL,                     -- the player's ledger version
    created_us              bigint   NOT NULL,                 -- unix microseconds, UTC
    last_modified_us        bigint   NOT NULL,
    request_fingerprint     text     NULL,
    operation_id            text     NULL,
    -- the store's entitlement event
    action_type             text     NULL,
    status                  text     NULL,
    entitlement_type        text     NULL,
    player_id               bigint   NULL,
    platform                text     NULL,
    platform_user_id        text     NULL,
    sku                     text     NULL,
    quantity                bigint   NULL,
    platform_transaction_id text     NULL,
    platform_data           text     NULL,                     -- the caller's JSON, byte for byte
    order_id                text     NULL,
    loot_id                 bigint   NULL,
    -- what the event changed
    item_id                 text     NULL,
    item_name               text     NULL,
    item_class              text     NULL,
    item_clazz              text     NULL,
    item_type               text     NULL,
    item_sku                text     NULL,
    units                   bigint   NULL,
    shortfall               bigint   NULL,
    revocation_policy       text     NULL,
    change                  text     NULL
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
    player_uuid uuid   PRIMARY KEY,
    version     bigint NOT NULL,
    state       text   NOT NULL, -- JSON
    written_us  bigint NOT NULL
);

CREATE TABLE IF NOT EXISTS players (
    -- Assigned only when a player is really created (never by a conflicting insert), so ids stay dense.
    player_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    player_uuid uuid   NOT NULL UNIQUE,
    created_us  bigint NOT NULL
);

CREATE TABLE IF NOT EXISTS platform_users (
    platform         text   NOT NULL,
    platform_user_id text   NOT NULL,
    player_uuid      uuid   NOT NULL REFERENCES players (player_uuid),
    display_name     text   NULL,
    created_us       bigint NOT NULL,
    PRIMARY KEY (platform, platform_user_id)
);

CREATE TABLE IF NOT EXISTS catalog_skus (
    platform text   NOT NULL,
    sku      text   NOT NULL,
    revision bigint NOT NULL,
    document text   NOT NULL, -- JSON
    PRIMARY KEY (platform, sku)
);

CREATE TABLE IF NOT EXISTS settings (
    key   text  PRIMARY KEY,
    value bytea NOT NULL
);
