-- Entitlement ledger schema, version 8 (PostgreSQL), as sqlite-v8.sql: the Xbox consumes still waiting
-- for their grant have a table of their own. Started rows (kind 2) are never marked finished (the ledger
-- is append-only), so the read of an XUID's pending consumes used to take every started row the XUID
-- ever had and look for the grant of each. A row here is a started row without a grant; it is made by
-- the append of the started row and removed by the append of any XboxLive grant of its tracking id,
-- whoever's and however appended, in the same statement (triggers), so a refused append leaves nothing.
-- Keyed by the MD5 of the XUID and of the tracking id, as the other user-id and transaction keys
-- (versions 4 and 5). The partial index of started rows by XUID (version 6) served that read alone and goes.
CREATE TABLE IF NOT EXISTS xbox_pending_consumes (
    started_seq bigint PRIMARY KEY, -- the started row's seq in ledger_events
    xuid        text   NOT NULL,    -- its platform_user_id
    tracking_id text   NOT NULL     -- its platform_transaction_id, the grant's transaction id
);
CREATE INDEX IF NOT EXISTS ix_xbox_pending_consumes_xuid ON xbox_pending_consumes (md5(xuid));
CREATE INDEX IF NOT EXISTS ix_xbox_pending_consumes_tracking_id ON xbox_pending_consumes (md5(tracking_id));

-- The started rows already in the ledger that have no grant (read once, on the index that goes below).
INSERT INTO xbox_pending_consumes (started_seq, xuid, tracking_id)
SELECT s.seq, s.platform_user_id, s.platform_transaction_id FROM ledger_events s
WHERE s.kind = 2 AND s.platform_user_id IS NOT NULL -- an XUID-less row (an Orleans client could once write one) is no XUID's to read
  AND NOT EXISTS (SELECT 1 FROM ledger_events g
                  WHERE g.kind = 0 AND g.platform = 'XboxLive' AND md5(g.platform_transaction_id) = md5(s.platform_transaction_id)
                    AND g.platform_transaction_id = s.platform_transaction_id AND g.action_type = 'Grant')
ON CONFLICT (started_seq) DO NOTHING;

CREATE OR REPLACE FUNCTION xbox_consume_started() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO xbox_pending_consumes (started_seq, xuid, tracking_id)
    SELECT NEW.seq, NEW.platform_user_id, NEW.platform_transaction_id
    WHERE NOT EXISTS (SELECT 1 FROM ledger_events
                      WHERE kind = 0 AND platform = 'XboxLive' AND md5(platform_transaction_id) = md5(NEW.platform_transaction_id)
                        AND platform_transaction_id = NEW.platform_transaction_id AND action_type = 'Grant');
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION xbox_consume_granted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM xbox_pending_consumes WHERE md5(tracking_id) = md5(NEW.platform_transaction_id) AND tracking_id = NEW.platform_transaction_id;
    RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS tr_ledger_events_xbox_consume_started ON ledger_events;
CREATE TRIGGER tr_ledger_events_xbox_consume_started AFTER INSERT ON ledger_events
    FOR EACH ROW WHEN (NEW.kind = 2) EXECUTE FUNCTION xbox_consume_started();
DROP TRIGGER IF EXISTS tr_ledger_events_xbox_consume_granted ON ledger_events;
CREATE TRIGGER tr_ledger_events_xbox_consume_granted AFTER INSERT ON ledger_events
    FOR EACH ROW WHEN (NEW.kind = 0 AND NEW.platform = 'XboxLive' AND NEW.action_type = 'Grant') EXECUTE FUNCTION xbox_consume_granted();

DROP INDEX IF EXISTS ix_ledger_events_xuid_xbox_consumes;
