-- Entitlement ledger schema, version 9 (PostgreSQL), as sqlite-v9.sql: the catalog's platform product ids
-- in a column of their own. The lookup of a product's XboxLive entry, once per product on every Xbox
-- consume, cast the document of every XboxLive entry to jsonb. Keyed by the MD5 of the id, as the SKU
-- (version 5); the lookup compares the id itself too. The entries already stored get theirs from their
-- document, except one holding a NUL escape (stored before NUL was refused), which jsonb cannot read: CASE
-- tests for it first, and such an entry keeps a null product id (as before, when the lookup never matched
-- it) until it is written again.
ALTER TABLE catalog_skus ADD COLUMN IF NOT EXISTS platform_product_id text NULL;
UPDATE catalog_skus SET platform_product_id = CASE WHEN strpos(document, '\u0000') = 0 THEN document::jsonb ->> 'platformProductId' END;
CREATE INDEX IF NOT EXISTS ix_catalog_skus_product ON catalog_skus (platform, md5(platform_product_id)) WHERE platform_product_id IS NOT NULL;
