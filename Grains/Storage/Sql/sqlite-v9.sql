-- Entitlement ledger schema, version 9 (SQLite): the catalog's platform product ids in a column of their
-- own. Every Xbox consume looks up the XboxLive entry of each product in the player's collection, and that
-- lookup parsed the JSON document of every XboxLive entry (no index can hold json_extract of a parameter's
-- match): products times entries per consume. Every catalog write now stores the id here too (null when
-- the entry has none); the entries already stored get theirs from their document. The index holds the SKU
-- after the id, so the first SKU of a product is the index's first entry for it; entries without a product
-- id are not in it.
ALTER TABLE catalog_skus ADD COLUMN platform_product_id TEXT NULL;
UPDATE catalog_skus SET platform_product_id = json_extract(document, '$.platformProductId');
CREATE INDEX IF NOT EXISTS ix_catalog_skus_product ON catalog_skus (platform, platform_product_id, sku) WHERE platform_product_id IS NOT NULL;
