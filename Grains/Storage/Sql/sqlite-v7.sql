-- Entitlement ledger schema, version 7 (SQLite): the dead letters still waiting for a replay are
-- indexed by webhook. GET /ops/v1/webhooks counts them on every call, inside the webhook's grain; an
-- endpoint that refuses everything dead-letters every notification, and without this index the count
-- read every row the webhook ever had. The total is counted on the unique (webhook, position) index.
CREATE INDEX IF NOT EXISTS ix_webhook_dead_letters_pending ON webhook_dead_letters (webhook) WHERE replayed_us IS NULL;
