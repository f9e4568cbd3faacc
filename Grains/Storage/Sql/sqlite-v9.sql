-- Entitlement ledger schema, version 9 (SQLite): a player's entitlement events have an index of their own.
-- Version 3 dropped the (player, kind, version) index for grant throughput, so the listing of a player's
-- entitlement events walked the (player, version) key and skipped the player's other rows one at a time:
-- every consume (kind 1) and every started Xbox consume (kind 2) the player ever made, on every request,
-- and a page that never fills is never kept by the gateway. This partial index holds the grants (kind 0)
-- only: a page costs its own rows, and a consume writes nothing here. Each grant writes one more entry,
-- keyed by player (one more page per commit for each player in it; see BENCHMARKS.md).
CREATE INDEX IF NOT EXISTS ix_ledger_events_player_entitlements ON ledger_events (player_uuid, version) WHERE kind = 0;

-- The catalog's platform product ids in a column of their own. Every Xbox consume looks up the XboxLive
-- entry of each product in the player's collection, and that lookup parsed the JSON document of every
-- XboxLive entry (no index can hold json_extract of a parameter's match): products times entries per
-- consume. Every catalog write now stores the id here too (null when the entry has none); the entries
-- already stored get theirs from their document. The index holds the SKU after the id, so the first SKU
-- of a product is the index's first entry for it; entries without a product id are not in it.
ALTER TABLE catalog_skus ADD COLUMN platform_product_id TEXT NULL;
UPDATE catalog_skus SET platform_product_id = json_extract(document, '$.platformProductId');
CREATE INDEX IF NOT EXISTS ix_catalog_skus_product ON catalog_skus (platform, platform_product_id, sku) WHERE platform_product_id IS NOT NULL;
