-- Entitlement ledger schema, version 7 (PostgreSQL), as sqlite-v7.sql: the dead letters still waiting
-- for a replay are indexed by webhook. GET /ops/v1/webhooks counts them on every call, inside the
-- webhook's grain; an endpoint that refuses everything dead-letters every notification, and without
-- this index the count read every row the webhook ever had. The total comes from the unique
-- (webhook, position) index alone (an index-only scan), without reading the rows.
CREATE INDEX IF NOT EXISTS ix_webhook_dead_letters_pending ON webhook_dead_letters (webhook) WHERE replayed_us IS NULL;
