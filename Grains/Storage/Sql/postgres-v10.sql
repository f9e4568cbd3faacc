-- Entitlement ledger schema, version 10 (PostgreSQL), as sqlite-v10.sql: a consume Xbox refused for good
-- is finished. Its started row stayed pending (version 8) and every later consume of the XUID sent it
-- again first, although Xbox had deducted nothing and refuses it the same way each time. The player grain
-- now appends a row of kind 3 ("Xbox consume refused", the started row's fields and tracking id) once Xbox
-- refuses a consume for good; like a grant of the tracking id, its append removes that tracking id's
-- pending row, in the same statement (a trigger), so a refused append leaves the row pending. Kind 3
-- changes nothing and is no entitlement event. Found by the MD5 of the tracking id, as the grant's trigger
-- does. Nothing to fill: no ledger holds a kind 3 row before this version.
CREATE OR REPLACE FUNCTION xbox_consume_refused() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM xbox_pending_consumes WHERE md5(tracking_id) = md5(NEW.platform_transaction_id) AND tracking_id = NEW.platform_transaction_id;
    RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS tr_ledger_events_xbox_consume_refused ON ledger_events;
CREATE TRIGGER tr_ledger_events_xbox_consume_refused AFTER INSERT ON ledger_events
    FOR EACH ROW WHEN (NEW.kind = 3) EXECUTE FUNCTION xbox_consume_refused();
