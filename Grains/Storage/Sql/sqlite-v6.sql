-- Entitlement ledger schema, version 6 (SQLite): started Xbox consumes (kind 2) are looked for by the
-- XUID, not by the player. A consume Xbox carried out and that was never granted stays in the ledger
-- of the player the XUID was linked to then; once the link moves to another player, only a lookup by
-- XUID lets the new player's next consume finish it. A grant still never writes here.
DROP INDEX IF EXISTS ix_ledger_events_player_xbox_consumes;
CREATE INDEX IF NOT EXISTS ix_ledger_events_xuid_xbox_consumes ON ledger_events (platform_user_id) WHERE kind = 2;
