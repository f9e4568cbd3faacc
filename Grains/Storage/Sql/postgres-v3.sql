-- Entitlement ledger schema, version 3 (PostgreSQL), as sqlite-v3.sql: fewer indexes on ledger_events.
-- Every index is one more B-tree that each append writes, and the indexes keyed by player put a
-- different page in every commit's WAL records. These three only sorted what other keys already order:
--   a player's entitlement events in version order: ux_ledger_events_player_version, kind filtered per row;
--   everybody's entitlement events, and the notification feed, in seq order: the primary key.
DROP INDEX IF EXISTS ix_ledger_events_player_kind;
DROP INDEX IF EXISTS ix_ledger_events_kind_seq;
DROP INDEX IF EXISTS ix_ledger_events_notifying;

-- A player's started Xbox consumes (kind 2), looked for on every consume; a grant never writes here.
CREATE INDEX IF NOT EXISTS ix_ledger_events_player_xbox_consumes ON ledger_events (player_uuid, version) WHERE kind = 2;
