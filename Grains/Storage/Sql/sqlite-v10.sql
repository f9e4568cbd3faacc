-- Entitlement ledger schema, version 10 (SQLite): a consume Xbox refused for good is finished. Such a
-- consume deducted nothing at Xbox (a re-sent tracking id is answered the same way), yet its started row
-- stayed in xbox_pending_consumes (version 8) and every later consume of the XUID sent it again first, an
-- Xbox round trip out of the call's budget each time: refusals piled up over a player's life until a call
-- spent its whole budget on them. The player grain now appends a row of kind 3 ("Xbox consume refused",
-- the started row's fields and tracking id) once Xbox refuses a consume for good; like a grant of the
-- tracking id, its append removes that tracking id's pending row, in the same statement (a trigger), so a
-- refused append leaves the row pending. Kind 3 changes nothing and is no entitlement event. Nothing to
-- fill: no ledger holds a kind 3 row before this version (a consume refused before it is refused once more
-- by the next call, and finished then).
CREATE TRIGGER IF NOT EXISTS tr_ledger_events_xbox_consume_refused AFTER INSERT ON ledger_events
WHEN NEW.kind = 3
BEGIN
    DELETE FROM xbox_pending_consumes WHERE tracking_id = NEW.platform_transaction_id;
END;
