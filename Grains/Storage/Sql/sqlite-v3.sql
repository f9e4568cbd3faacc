-- Entitlement ledger schema, version 3 (SQLite): fewer indexes on ledger_events.
-- Every index is one more B-tree that each append writes, and the indexes keyed by player put a
-- different page in every commit's WAL frames. These four only sorted what other keys already order:
--   a player's entitlement events, and a player's notification feed, in version order:
--     ux_ledger_events_player_version, the rest filtered per row (a player's versions and sequences
--     grow together, so version order is sequence order);
--   everybody's entitlement events, and the notification feed, in seq order: the primary key.
DROP INDEX IF EXISTS ix_ledger_events_player_kind;
DROP INDEX IF EXISTS ix_ledger_events_kind_seq;
DROP INDEX IF EXISTS ix_ledger_events_notifying;
DROP INDEX IF EXISTS ix_ledger_events_player_notifying;

-- A player's started Xbox consumes (kind 2), looked for on every consume; a grant never writes here.
CREATE INDEX IF NOT EXISTS ix_ledger_events_player_xbox_consumes ON ledger_events (player_uuid, version) WHERE kind = 2;
