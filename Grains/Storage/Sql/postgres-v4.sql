-- Entitlement ledger schema, version 4 (PostgreSQL): transaction ids of any length RallyHere allows.
-- A platform_transaction_id may have 4,096 characters, more than one B-tree entry may hold (2,704
-- bytes; PostgreSQL refuses a longer entry it cannot compress), so an append with such an id failed
-- with program_limit_exceeded on every try. The transaction key is now unique on the id's MD5, which
-- is the backstop behind the append's exact check under the ledger lock (two ids with one MD5 would
-- be refused as a duplicate, never merged). Every query of a transaction compares both the MD5, to
-- find the rows through this key, and the id itself.
DROP INDEX IF EXISTS ux_ledger_events_transaction;
CREATE UNIQUE INDEX IF NOT EXISTS ux_ledger_events_transaction
    ON ledger_events (platform, md5(platform_transaction_id), action_type) WHERE kind = 0;
